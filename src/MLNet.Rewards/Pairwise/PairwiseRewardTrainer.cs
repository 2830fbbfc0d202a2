using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Pairwise;

/// <summary>
/// Trains a Bradley–Terry reward model, P(chosen ≻ rejected) = σ(r(chosen) − r(rejected)), on feature vectors in an
/// ML.NET pipeline; the fitted <see cref="PairwiseRewardTransformer"/> writes the reward r(x) of every row. The training
/// itself is MLNet.Rewards' <see cref="PairwiseTrainer"/> (linear, MLP or prototype head, AdamW, early stopping, deterministic for
/// a seed). Created by <see cref="RewardsCatalog.PairwiseReward(PairwiseRewardTrainerOptions)"/>.
/// </summary>
public sealed class PairwiseRewardTrainer : RewardTrainer<PairwiseRewardTransformer, PairwiseRewardTrainerOptions>
{
    internal PairwiseRewardTrainer(MLContext ml, PairwiseRewardTrainerOptions options)
        : base(options, PairwiseRewardTransformer.Chain(ml, Validated(options)))
    {
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Feature vectors of differing lengths.</exception>
    public override PairwiseRewardTransformer Fit(IDataView input)
    {
        RequireColumns(ColumnRequirements.Of(input.Schema));
        if (Options.PromptFeatureColumnName is not null)
        {
            int size = SchemaChecks.RequireFloatVector(input.Schema, Options.FeatureColumnName, "the response features");
            SchemaChecks.RequireFloatVector(input.Schema, Options.PromptFeatureColumnName, "the prompt embedding", size, $"the feature column '{Options.FeatureColumnName}' has");
        }

        var rows = TrainingRows.Read(input, new TrainingColumns(Options.FeatureColumnName, Options.PromptFeatureColumnName, Options.LabelColumnName, Options.PairIdColumnName, Options.ValidationGroupColumnName));
        var layout = Options.PromptFeatureColumnName is null ? FeatureLayout.Response : FeatureLayout.ResponseAndPromptProduct;
        var dataset = rows.ToPairs(layout);
        var result = new PairwiseTrainer(Options.Trainer).Fit(dataset);
        var scorer = new PairwiseScorer(layout, result.Head);
        return new PairwiseRewardTransformer(FitChain(input, scorer.ToBytes()), Options, scorer, result);
    }

    private protected override void RequireColumns(ColumnRequirements columns)
    {
        columns.FloatVector(Options.FeatureColumnName, "the response features");
        if (Options.PromptFeatureColumnName is not null)
        {
            columns.FloatVector(Options.PromptFeatureColumnName, "the prompt embedding");
        }

        columns.Boolean(Options.LabelColumnName, "true for the preferred response");
        columns.Text(Options.PairIdColumnName, "the pair id");
        if (Options.ValidationGroupColumnName is not null)
        {
            columns.Text(Options.ValidationGroupColumnName, "the validation-split group");
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
