using MLNet.Rewards.Training;

namespace MLNet.Rewards.Ensembles;

/// <summary>How ensemble members see different data.</summary>
public enum EnsembleResampling
{
    /// <summary>Each member trains on a bootstrap resample (pairs drawn with replacement, as many as there are).</summary>
    Bootstrap,

    /// <summary>Each member trains on all pairs; members differ only by their seed (initialisation, shuffling).</summary>
    SeedsOnly,
}

/// <summary>Every setting of <see cref="EnsembleTrainer"/>.</summary>
public sealed record EnsembleTrainerOptions
{
    /// <summary>Settings of each member's training; member m uses <c>Seed</c> derived from this seed and m.</summary>
    public PairwiseTrainerOptions Trainer { get; init; } = new();

    /// <summary>Number of members.</summary>
    public int Members { get; init; } = 5;

    /// <summary>Bootstrap resamples or seeds only.</summary>
    public EnsembleResampling Resampling { get; init; } = EnsembleResampling.Bootstrap;

    /// <summary>Members trained at the same time; 0 means one per core. Each member trains on one thread, so the result does not depend on this.</summary>
    public int MaxParallelMembers { get; init; }

    /// <summary>Checks the options, naming the one that is out of range.</summary>
    public void Validate()
    {
        Trainer.Validate();
        OptionValidation.Require(Members >= 1, nameof(Members), Members, "must be at least 1");
        OptionValidation.Require(Enum.IsDefined(Resampling), nameof(Resampling), Resampling, "must be Bootstrap or SeedsOnly");
        OptionValidation.Require(MaxParallelMembers >= 0, nameof(MaxParallelMembers), MaxParallelMembers, "must be 0 (all cores) or positive");
    }
}
