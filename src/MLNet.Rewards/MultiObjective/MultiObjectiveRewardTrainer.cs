using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// Trains a gated multi-objective reward model (ArmoRM) in an ML.NET pipeline: one objective per rating column (ridge
/// regression), per principle's label column (Bradley–Terry head) or length measure, standardised, optionally
/// decorrelated from verbosity, and combined by a prompt-conditioned gate trained on the comparisons of
/// <see cref="MultiObjectiveRewardTrainerOptions.LabelColumnName"/>. The training is Core's
/// <see cref="MultiObjectiveTrainer"/>; the fitted <see cref="MultiObjectiveRewardTransformer"/> scores with Core's
/// <see cref="MultiObjectiveRewardModel"/>. Created by <see cref="RewardsCatalog.MultiObjectiveReward(MultiObjectiveRewardTrainerOptions)"/>.
/// </summary>
/// <remarks>
/// It reads the prompt and response text, not embedding columns: the model embeds them with its own featurizer (saved
/// with it), because verbosity decorrelation and length objectives need the response text and the gate needs the prompt
/// embedding of that featurizer. The zip it saves therefore holds exactly the model zip Core's command-line tool writes.
/// </remarks>
public sealed class MultiObjectiveRewardTrainer : RewardTrainer<MultiObjectiveRewardTransformer, MultiObjectiveRewardTrainerOptions>
{
    internal MultiObjectiveRewardTrainer(MLContext ml, MultiObjectiveRewardTrainerOptions options)
        : base(options, MultiObjectiveRewardTransformer.Chain(ml, Validated(options)))
    {
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Core's trainer refused the data (for example a rating column with no rated row); the message names the objective.</exception>
    public override MultiObjectiveRewardTransformer Fit(IDataView input)
    {
        RequireColumns(ColumnRequirements.Of(input.Schema));
        var data = MultiObjectiveTrainingData.Read(input, Options);
        var embedder = Options.Featurizer.CreateEmbedder(FeaturizerContext.Default);
        var model = new MultiObjectiveTrainer(Options.Trainer).Fit(embedder, Options.FeatureLayout, data.Definitions, data.CombinerPairs);
        return new MultiObjectiveRewardTransformer(FitChain(input, model.ToBytes()), Options, model);
    }

    private protected override void RequireColumns(ColumnRequirements columns)
    {
        columns.Text(Options.PromptColumnName, "the prompt");
        columns.Text(Options.ResponseColumnName, "the response");
        columns.Boolean(Options.LabelColumnName, "true for the preferred response");
        columns.Text(Options.PairIdColumnName, "the pair id");
        foreach (var objective in Options.Objectives)
        {
            switch (objective)
            {
                case RatingObjectiveColumn rating:
                    columns.Single(rating.Column, $"the rating of objective '{rating.Name}'");
                    break;
                case PreferenceObjectiveColumn preference:
                    columns.Boolean(preference.Column, $"the label of objective '{preference.Name}'");
                    break;
            }
        }
    }
}

/// <summary>
/// A fitted <see cref="MultiObjectiveRewardTrainer"/>: writes the combined reward of each (prompt, response) row, and
/// optionally the objective rewards and the gate's weights. Saves with <c>mlContext.Model.Save</c>; see
/// <see cref="BuiltInChainTransformer"/> for what a loaded model holds.
/// </summary>
public sealed class MultiObjectiveRewardTransformer : BuiltInChainTransformer
{
    internal MultiObjectiveRewardTransformer(TransformerChain<ITransformer> chain, MultiObjectiveRewardTrainerOptions options, MultiObjectiveRewardModel model)
        : base(chain)
    {
        Options = options;
        Model = model;
    }

    /// <summary>The settings it was trained with (column names, objectives and hyperparameters).</summary>
    public MultiObjectiveRewardTrainerOptions Options { get; }

    /// <summary>The trained Core model: objectives, standardisation, gate; it can also explain scores and combine them by other scalarizers.</summary>
    public MultiObjectiveRewardModel Model { get; }

    private protected override void ValidateInput(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireText(inputSchema, Options.PromptColumnName, "the prompt");
        SchemaChecks.RequireText(inputSchema, Options.ResponseColumnName, "the response");
    }

    internal static MappingChain Chain(MLContext ml, MultiObjectiveRewardTrainerOptions options)
        => new(
            ml,
            [(InternalColumns.Prompt, options.PromptColumnName), (InternalColumns.Response, options.ResponseColumnName)],
            c => c.Transforms.CustomMapping<MultiObjectiveScoreInput, MultiObjectiveScoreOutput>(MultiObjectiveScoreMapping.Map, MultiObjectiveScoreMapping.ContractName),
            [(InternalColumns.Score, options.ScoreColumnName), (InternalColumns.ObjectiveRewards, options.ObjectiveRewardsColumnName), (InternalColumns.GateWeights, options.GateWeightsColumnName)]);
}
