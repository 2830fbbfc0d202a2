using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Pipelines.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Pipelines.Pairwise;

/// <summary>
/// Trains a Bradley–Terry reward model, P(chosen ≻ rejected) = σ(r(chosen) − r(rejected)), on feature vectors in an
/// ML.NET pipeline; the fitted <see cref="PairwiseRewardTransformer"/> writes the reward r(x) of every row. The training
/// itself is MLNet.Rewards' <see cref="PairwiseTrainer"/> (linear or MLP head, AdamW, early stopping, deterministic for
/// a seed). Created by <see cref="RewardsCatalog.PairwiseReward(PairwiseRewardTrainerOptions)"/>.
/// </summary>
public sealed class PairwiseRewardTrainer : IEstimator<PairwiseRewardTransformer>
{
    private readonly MappingChain _chain;

    internal PairwiseRewardTrainer(MLContext ml, PairwiseRewardTrainerOptions options)
    {
        options.Validate();
        Options = options;
        _chain = PairwiseRewardTransformer.Chain(ml, options);
    }

    /// <summary>The trainer's settings.</summary>
    public PairwiseRewardTrainerOptions Options { get; }

    /// <summary>Reads the comparisons in <paramref name="input"/> and trains the head.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The rows do not form comparisons (a pair id without a preferred or a rejected row, vectors of differing lengths).</exception>
    public PairwiseRewardTransformer Fit(IDataView input)
    {
        ValidateTrainingSchema(input.Schema);
        var rows = TrainingRows.Read(input, Options);
        var layout = Options.PromptFeatureColumnName is null ? FeatureLayout.Response : FeatureLayout.ResponseAndPromptProduct;
        var dataset = rows.ToPairs(layout);
        var result = new PairwiseTrainer(Options.Trainer).Fit(dataset);
        var scorer = new PairwiseScorer(layout, result.Head);
        return new PairwiseRewardTransformer(_chain.Fit(input, scorer.ToBytes()), Options, scorer, result);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaChecks.RequireFloatVector(inputSchema, Options.FeatureColumnName, "the response features");
        if (Options.PromptFeatureColumnName is not null)
        {
            SchemaChecks.RequireFloatVector(inputSchema, Options.PromptFeatureColumnName, "the prompt embedding");
        }

        SchemaChecks.RequireBoolean(inputSchema, Options.LabelColumnName, "true for the preferred response");
        SchemaChecks.RequireText(inputSchema, Options.PairIdColumnName, "the pair id");
        if (Options.GroupColumnName is not null)
        {
            SchemaChecks.RequireText(inputSchema, Options.GroupColumnName, "the validation-split group");
        }

        return _chain.GetOutputSchema(inputSchema);
    }

    private void ValidateTrainingSchema(DataViewSchema schema)
    {
        int size = SchemaChecks.RequireFloatVector(schema, Options.FeatureColumnName, "the response features");
        if (Options.PromptFeatureColumnName is not null)
        {
            SchemaChecks.RequireFloatVector(schema, Options.PromptFeatureColumnName, "the prompt embedding", size, $"the feature column '{Options.FeatureColumnName}' has");
        }

        SchemaChecks.RequireBoolean(schema, Options.LabelColumnName, "true for the preferred response");
        SchemaChecks.RequireText(schema, Options.PairIdColumnName, "the pair id");
        if (Options.GroupColumnName is not null)
        {
            SchemaChecks.RequireText(schema, Options.GroupColumnName, "the validation-split group");
        }
    }
}

/// <summary>
/// A fitted <see cref="PairwiseRewardTrainer"/>: writes the reward of each row's features to the score column. Saves with
/// <c>mlContext.Model.Save</c>; see <see cref="BuiltInChainTransformer"/> for what a loaded model holds.
/// </summary>
public sealed class PairwiseRewardTransformer : BuiltInChainTransformer
{
    private readonly PairwiseScorer _scorer;

    internal PairwiseRewardTransformer(TransformerChain<ITransformer> chain, PairwiseRewardTrainerOptions options, PairwiseScorer scorer, TrainingResult training)
        : base(chain)
    {
        Options = options;
        _scorer = scorer;
        Training = training;
    }

    /// <summary>The settings it was trained with (column names and hyperparameters).</summary>
    public PairwiseRewardTrainerOptions Options { get; }

    /// <summary>The trained reward head.</summary>
    public RewardHead Head => _scorer.Head;

    /// <summary>How the head's input is built from the feature column (and the prompt embedding, when used).</summary>
    public FeatureLayout Layout => _scorer.Layout;

    /// <summary>Length of the feature column the model was trained on.</summary>
    public int FeatureDimension => _scorer.FeatureDimension;

    /// <summary>How training went: epochs, losses, the best epoch, pair counts.</summary>
    public TrainingResult Training { get; }

    private protected override void ValidateInput(DataViewSchema inputSchema)
    {
        SchemaChecks.RequireFloatVector(inputSchema, Options.FeatureColumnName, "the response features", FeatureDimension);
        if (Options.PromptFeatureColumnName is not null)
        {
            SchemaChecks.RequireFloatVector(inputSchema, Options.PromptFeatureColumnName, "the prompt embedding", FeatureDimension);
        }
    }

    internal static MappingChain Chain(MLContext ml, PairwiseRewardTrainerOptions options)
    {
        var output = (InternalColumns.Score, options.ScoreColumnName);
        return options.PromptFeatureColumnName is null
            ? new MappingChain(
                ml,
                [(InternalColumns.Features, options.FeatureColumnName)],
                c => c.Transforms.CustomMapping<PairwiseScoreInput, PairwiseScoreOutput>(PairwiseScoreMapping.Map, PairwiseScoreMapping.ContractName),
                output)
            : new MappingChain(
                ml,
                [(InternalColumns.Features, options.FeatureColumnName), (InternalColumns.PromptFeatures, options.PromptFeatureColumnName)],
                c => c.Transforms.CustomMapping<PairwiseScoreWithPromptInput, PairwiseScoreOutput>(PairwiseScoreMapping.MapWithPrompt, PairwiseScoreMapping.WithPromptContractName),
                output);
    }
}
