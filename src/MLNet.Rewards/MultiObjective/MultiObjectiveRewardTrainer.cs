using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Pipelines.Persistence;

namespace MLNet.Rewards.Pipelines.MultiObjective;

/// <summary>
/// Trains a gated multi-objective reward model (ArmoRM) in an ML.NET pipeline: one objective per rating column (ridge
/// regression), per principle's label column (Bradley–Terry head) or length measure, standardised, optionally
/// decorrelated from verbosity, and combined by a prompt-conditioned gate trained on the comparisons of
/// <see cref="MultiObjectiveRewardTrainerOptions.LabelColumnName"/>. The training is Core's
/// <see cref="MultiObjectiveTrainer"/>; the fitted <see cref="MultiObjectiveRewardTransformer"/> scores with Core's
/// <see cref="MultiObjectiveRewardModel"/>. Created by <see cref="RewardsCatalog.MultiObjectiveReward"/>.
/// </summary>
/// <remarks>
/// It reads the prompt and response text, not embedding columns: the model embeds them with its own featurizer (saved
/// with it), because verbosity decorrelation and length objectives need the response text and the gate needs the prompt
/// embedding of that featurizer. The zip it saves therefore holds exactly the model zip Core's command-line tool writes.
/// </remarks>
public sealed class MultiObjectiveRewardTrainer : IEstimator<MultiObjectiveRewardTransformer>
{
    private readonly MappingChain _chain;

    internal MultiObjectiveRewardTrainer(MLContext ml, MultiObjectiveRewardTrainerOptions options)
    {
        options.Validate();
        Options = options;
        _chain = MultiObjectiveRewardTransformer.Chain(ml, options);
    }

    /// <summary>The trainer's settings.</summary>
    public MultiObjectiveRewardTrainerOptions Options { get; }

    /// <summary>Reads the ratings and comparisons in <paramref name="input"/> and trains the objectives and the gate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The rows do not form comparisons (a pair id without a preferred or a rejected row, or with different prompts).</exception>
    /// <exception cref="ArgumentException">Core's trainer refused the data (for example a rating column with no rated row); the message names the objective.</exception>
    public MultiObjectiveRewardTransformer Fit(IDataView input)
    {
        ValidateTrainingSchema(input.Schema);
        var data = MultiObjectiveTrainingData.Read(input, Options);
        var embedder = Options.Featurizer.CreateEmbedder(FeaturizerContext.Default);
        var model = new MultiObjectiveTrainer(Options.Trainer).Fit(embedder, Options.FeatureLayout, data.Definitions, data.CombinerPairs);
        return new MultiObjectiveRewardTransformer(_chain.Fit(input, model.ToBytes()), Options, model);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        CheckColumns(
            (name, role) => SchemaChecks.RequireText(inputSchema, name, role),
            (name, role) => SchemaChecks.RequireBoolean(inputSchema, name, role),
            (name, role) => SchemaChecks.RequireSingle(inputSchema, name, role));
        return _chain.GetOutputSchema(inputSchema);
    }

    private void ValidateTrainingSchema(DataViewSchema schema)
        => CheckColumns(
            (name, role) => SchemaChecks.RequireText(schema, name, role),
            (name, role) => SchemaChecks.RequireBoolean(schema, name, role),
            (name, role) => SchemaChecks.RequireSingle(schema, name, role));

    /// <summary>Checks every column training reads, by kind (each check gets the column name and its role).</summary>
    private void CheckColumns(Action<string, string> text, Action<string, string> boolean, Action<string, string> single)
    {
        text(Options.PromptColumnName, "the prompt");
        text(Options.ResponseColumnName, "the response");
        boolean(Options.LabelColumnName, "true for the preferred response");
        text(Options.PairIdColumnName, "the pair id");
        foreach (var objective in Options.Objectives)
        {
            switch (objective)
            {
                case RatingObjectiveColumn rating:
                    single(rating.Column, $"the rating of objective '{rating.Name}'");
                    break;
                case PreferenceObjectiveColumn preference:
                    boolean(preference.Column, $"the label of objective '{preference.Name}'");
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
