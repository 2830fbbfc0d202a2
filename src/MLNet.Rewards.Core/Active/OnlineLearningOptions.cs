namespace MLNet.Rewards.Active;

/// <summary>Every setting of <see cref="OnlineEnsembleLearner"/>.</summary>
public sealed record OnlineLearningOptions
{
    /// <summary>Gradient steps each member takes after every new label.</summary>
    public int StepsPerLabel { get; init; } = 8;

    /// <summary>Labels per step, drawn with replacement from all labels so far (each member draws its own, so members stay diverse).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>AdamW step size of the updates.</summary>
    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>
    /// λ of the pull towards each member's initial weights: the gradient gains λ·(θ − θ₀), the gradient of (λ/2)‖θ − θ₀‖².
    /// It keeps the members' initial spread (the prior) from collapsing on few labels.
    /// </summary>
    public float AnchorStrength { get; init; } = 1e-3f;

    /// <summary>Seed of the selectors' draws and the members' batch draws.</summary>
    public long Seed { get; init; }

    /// <summary>Checks the options, naming the one that is out of range.</summary>
    public void Validate()
    {
        OptionValidation.Require(StepsPerLabel >= 1, nameof(StepsPerLabel), StepsPerLabel, "must be at least 1");
        OptionValidation.Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        OptionValidation.Require(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be a positive number");
        OptionValidation.Require(AnchorStrength >= 0 && float.IsFinite(AnchorStrength), nameof(AnchorStrength), AnchorStrength, "must be a non-negative number");
    }
}
