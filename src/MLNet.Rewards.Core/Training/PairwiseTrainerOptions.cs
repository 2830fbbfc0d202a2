using MLNet.Rewards.Heads;

namespace MLNet.Rewards.Training;

/// <summary>
/// Every hyperparameter of <see cref="PairwiseTrainer"/> in one place. The defaults follow the "Reusing Embeddings" paper
/// (Adam(W) at 1e-3, early stopping on a validation split).
/// </summary>
public sealed record PairwiseTrainerOptions
{
    /// <summary>Head architecture; the reference MLP D → 1024 → 512 → 1 by default.</summary>
    public HeadSpec Head { get; init; } = new MlpHeadSpec();

    /// <summary>Most passes over the training pairs.</summary>
    public int MaxEpochs { get; init; } = 20;

    /// <summary>Pairs per gradient step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>AdamW step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>AdamW decoupled weight decay.</summary>
    public float WeightDecay { get; init; } = 1e-2f;

    /// <summary>Label smoothing ε: the target probability of the chosen response is 1 − ε.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>
    /// TRL's <c>center_rewards_coefficient</c> c: each pair adds c·(r_c + r_r)² to its loss, which keeps rewards centred on
    /// zero without changing their differences much. 0 turns it off.
    /// </summary>
    public float CenterRewardsCoefficient { get; init; }

    /// <summary>Fraction of prompts held out for early stopping when no validation set is given; 0 trains all epochs.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Epochs without a better validation loss before training stops; the best epoch's weights are kept.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Seed of initialisation, shuffling and the validation split: same seed and data give bit-identical weights.</summary>
    public long Seed { get; init; }

    /// <summary>Threads a batch is spread over; 0 means one per core. The result is identical for one value on one machine.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// How the weights are fitted: mini-batch AdamW (default; uses <see cref="MaxEpochs"/>, <see cref="BatchSize"/>,
    /// <see cref="LearningRate"/>, <see cref="WeightDecay"/> and <see cref="Patience"/>) or, for the linear head only,
    /// full-batch L-BFGS on the same Bradley–Terry loss plus an L2 penalty (uses <see cref="Lbfgs"/>; setting one of the
    /// five mini-batch options then is an error instead of being ignored).
    /// </summary>
    public PairwiseOptimizer Optimizer { get; init; } = PairwiseOptimizer.MiniBatchAdamW;

    /// <summary>Settings of <see cref="PairwiseOptimizer.FullBatchLbfgs"/>; not used by mini-batch AdamW.</summary>
    public LbfgsOptions Lbfgs { get; init; } = new();

    /// <summary>Checks the options, naming the one that is out of range.</summary>
    public void Validate()
    {
        OptionValidation.Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "must be MiniBatchAdamW or FullBatchLbfgs");
        if (Optimizer == PairwiseOptimizer.FullBatchLbfgs)
        {
            if (Head is not LinearHeadSpec)
            {
                throw new ArgumentException($"{nameof(PairwiseOptimizer.FullBatchLbfgs)} trains only the linear head, not {Head.GetType().Name}", nameof(Optimizer));
            }

            OptionValidation.Require(CenterRewardsCoefficient == 0, nameof(CenterRewardsCoefficient), CenterRewardsCoefficient, "is not supported by full-batch L-BFGS training");
            RequireMiniBatchDefaults();
            Lbfgs.Validate();
        }

        OptionValidation.Require(MaxEpochs >= 1, nameof(MaxEpochs), MaxEpochs, "must be at least 1");
        OptionValidation.Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        OptionValidation.Require(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be a positive number");
        OptionValidation.Require(WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "must not be negative");
        OptionValidation.Require(LabelSmoothing is >= 0 and < 0.5f, nameof(LabelSmoothing), LabelSmoothing, "must be in [0, 0.5)");
        OptionValidation.Require(CenterRewardsCoefficient >= 0 && float.IsFinite(CenterRewardsCoefficient), nameof(CenterRewardsCoefficient), CenterRewardsCoefficient, "must be a non-negative number");
        OptionValidation.Require(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "must be in [0, 1)");
        OptionValidation.Require(Patience >= 1, nameof(Patience), Patience, "must be at least 1");
        OptionValidation.Require(MaxDegreeOfParallelism >= 0, nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "must be 0 (all cores) or positive");
    }

    /// <summary>Full-batch L-BFGS does not use the mini-batch options: a value other than the default is an error, not a silent no-op.</summary>
    private void RequireMiniBatchDefaults()
    {
        var defaults = new PairwiseTrainerOptions();
        const string Rule = "is a mini-batch AdamW option, not used by Optimizer = FullBatchLbfgs (set Lbfgs instead, or leave it at its default)";
        OptionValidation.Require(MaxEpochs == defaults.MaxEpochs, nameof(MaxEpochs), MaxEpochs, Rule);
        OptionValidation.Require(BatchSize == defaults.BatchSize, nameof(BatchSize), BatchSize, Rule);
        OptionValidation.Require(LearningRate == defaults.LearningRate, nameof(LearningRate), LearningRate, Rule);
        OptionValidation.Require(WeightDecay == defaults.WeightDecay, nameof(WeightDecay), WeightDecay, Rule);
        OptionValidation.Require(Patience == defaults.Patience, nameof(Patience), Patience, Rule);
    }

    internal int EffectiveParallelism => MaxDegreeOfParallelism > 0 ? MaxDegreeOfParallelism : Environment.ProcessorCount;
}

/// <summary>How <see cref="PairwiseTrainer"/> fits a head's weights.</summary>
public enum PairwiseOptimizer
{
    /// <summary>Mini-batch AdamW with early stopping on the validation split; every head.</summary>
    MiniBatchAdamW,

    /// <summary>Full-batch L-BFGS (<see cref="PairwiseTrainerOptions.Lbfgs"/>); the linear head only, without per-pair weights or margins.</summary>
    FullBatchLbfgs,
}
