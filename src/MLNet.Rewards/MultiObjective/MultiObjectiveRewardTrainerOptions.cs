using MLNet.Rewards.Featurization;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// Settings of <see cref="MultiObjectiveRewardTrainer"/>: which columns it reads and writes, its objectives, the featurizer,
/// and Core's <see cref="MultiObjectiveTrainerOptions"/> (ridge, gate, decorrelation, seed).
/// </summary>
/// <remarks>
/// Training data has one row per response, with its prompt and response text. A row may carry ratings (for
/// <see cref="RatingObjectiveColumn"/>s; NaN where not rated) and may belong to a comparison: rows with the same non-empty
/// <see cref="PairIdColumnName"/> are compared, by <see cref="LabelColumnName"/> for the gate and by each
/// <see cref="PreferenceObjectiveColumn"/>'s own label for that objective. Scoring data needs only the prompt and the
/// response.
/// </remarks>
public sealed record MultiObjectiveRewardTrainerOptions : IComponentOptions
{
    /// <summary>Text: the prompt; the gate reads its embedding.</summary>
    public string PromptColumnName { get; init; } = "Prompt";

    /// <summary>Text: the response; the objectives read its features, verbosity decorrelation and length objectives its length.</summary>
    public string ResponseColumnName { get; init; } = "Response";

    /// <summary>The objectives, in the order of <see cref="ObjectiveRewardsColumnName"/>'s values; at least one.</summary>
    public IReadOnlyList<ObjectiveColumn> Objectives { get; init; } = [];

    /// <summary>Boolean: true for the preferred response of its comparison; the gate (or the linear weights) is trained on these comparisons. Read at <c>Fit</c> only.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Text: rows with the same non-empty value are compared; rows with an empty value (for example rated-only rows) belong to no comparison. Read at <c>Fit</c> only.</summary>
    public string PairIdColumnName { get; init; } = "PairId";

    /// <summary>The combined reward column written (Single).</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>
    /// Optional vector column of the objective rewards the combiner saw (standardised on the comparisons' responses and
    /// decorrelated from verbosity), one per objective in <see cref="Objectives"/>' order; null writes none.
    /// </summary>
    public string? ObjectiveRewardsColumnName { get; init; } = "ObjectiveRewards";

    /// <summary>Optional vector column of the gate's weights (non-negative, summing to 1), one per objective; null writes none. Needs a gate (<see cref="MultiObjectiveTrainerOptions.TrainGate"/>).</summary>
    public string? GateWeightsColumnName { get; init; } = "GateWeights";

    /// <summary>The featurizer of prompts and responses (saved with the model); the model-free hashing featurizer by default.</summary>
    public FeaturizerSpec Featurizer { get; init; } = new HashingFeaturizerSpec();

    /// <summary>How the objective heads' input is built from the prompt and response embeddings.</summary>
    public FeatureLayout FeatureLayout { get; init; } = FeatureLayout.ResponseAndPromptProduct;

    /// <summary>Core's hyperparameters: ridge, preference trainer, gate architecture and trainer, decorrelation, seed.</summary>
    public MultiObjectiveTrainerOptions Trainer { get; init; } = new();

    /// <summary>Checks the options, naming the one that is wrong.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public void Validate()
    {
        ColumnOptions.Required([(PromptColumnName, nameof(PromptColumnName)), (ResponseColumnName, nameof(ResponseColumnName)), (LabelColumnName, nameof(LabelColumnName)), (PairIdColumnName, nameof(PairIdColumnName)), (ScoreColumnName, nameof(ScoreColumnName))]);
        ColumnOptions.Optional([(ObjectiveRewardsColumnName, nameof(ObjectiveRewardsColumnName)), (GateWeightsColumnName, nameof(GateWeightsColumnName))]);
        OptionValidation.Require(GateWeightsColumnName is null || Trainer.TrainGate, nameof(GateWeightsColumnName), GateWeightsColumnName, "must be null when Trainer.TrainGate is false (there is no gate)");
        OptionValidation.Require(Objectives.Count > 0, nameof(Objectives), Objectives.Count, "must list at least one objective");
        var repeated = Objectives.GroupBy(o => o.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 || string.IsNullOrWhiteSpace(g.Key));
        OptionValidation.Require(repeated is null, nameof(Objectives), repeated?.Key, "objective names must be non-empty and unique");
        foreach (var objective in Objectives)
        {
            objective.Validate();
        }

        ArgumentNullException.ThrowIfNull(Featurizer);
        Trainer.Validate();
    }
}

/// <summary>One objective of a <see cref="MultiObjectiveRewardTrainer"/> and the column its training signal comes from.</summary>
/// <param name="Name">Unique objective name.</param>
public abstract record ObjectiveColumn(string Name)
{
    /// <summary>Checks the settings, naming the bad one.</summary>
    public abstract void Validate();
}

/// <summary>ArmoRM stage 1: a ridge regression of a rating column (Single; NaN where the row is not rated).</summary>
/// <param name="Name">Objective name.</param>
/// <param name="RatingColumnName">The rating column; defaults to <paramref name="Name"/>.</param>
public sealed record RatingObjectiveColumn(string Name, string? RatingColumnName = null) : ObjectiveColumn(Name)
{
    /// <summary>The column read.</summary>
    public string Column => RatingColumnName ?? Name;

    /// <inheritdoc />
    public override void Validate() => ColumnOptions.Required([(Column, nameof(RatingColumnName))]);
}

/// <summary>A Bradley–Terry head for one principle: a Boolean column marks the preferred row within each pair id.</summary>
/// <param name="Name">Objective name.</param>
/// <param name="LabelColumnName">The principle's label column (true for the preferred response); defaults to <paramref name="Name"/>.</param>
/// <param name="Trainer">Its trainer settings; null uses <see cref="MultiObjectiveTrainerOptions.Preference"/>.</param>
public sealed record PreferenceObjectiveColumn(string Name, string? LabelColumnName = null, PairwiseTrainerOptions? Trainer = null) : ObjectiveColumn(Name)
{
    /// <summary>The column read.</summary>
    public string Column => LabelColumnName ?? Name;

    /// <inheritdoc />
    public override void Validate()
    {
        ColumnOptions.Required([(Column, nameof(LabelColumnName))]);
        Trainer?.Validate();
    }
}

/// <summary>The response length, measured (nothing to learn, no column).</summary>
/// <param name="Name">Objective name.</param>
/// <param name="Measure">Characters or words.</param>
public sealed record LengthObjectiveColumn(string Name, LengthMeasure Measure = LengthMeasure.Characters) : ObjectiveColumn(Name)
{
    /// <inheritdoc />
    public override void Validate() => OptionValidation.Require(Enum.IsDefined(Measure), nameof(Measure), Measure, "must be Characters or Words");
}
