using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Ranking;

/// <summary>
/// Trains a gradient-boosted ranking head on preference rows with ML.NET's own ranking trainers (FastTree or LightGBM
/// LambdaRank): each group of rows (a pair, or a prompt's responses) is a query whose preferred rows should rank above its
/// rejected ones. The fitted <see cref="RankingRewardTransformer"/> writes the trees' score of every row as its reward.
/// Created by <see cref="RewardsCatalog.RankingReward(RankingRewardTrainerOptions)"/>.
/// </summary>
/// <remarks>
/// ML.NET's ranking trainers need the rows of a query next to each other and the group as a key column; this trainer reads
/// the rows, groups them, and hands the trainer a view of its own, so the input may come in any order.
/// </remarks>
public sealed class RankingRewardTrainer : RewardTrainer<RankingRewardTransformer, RankingRewardTrainerOptions>
{
    private const string LabelColumn = "MLNetRewards.Relevance";
    private const string GroupColumn = "MLNetRewards.Query";
    private const string TreeScoreColumn = "Score";

    private readonly MLContext _ml;

    internal RankingRewardTrainer(MLContext ml, RankingRewardTrainerOptions options)
        : base(Validated(options), input => WithScore(ml, input, options.ScoreColumnName))
    {
        _ml = ml;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Feature vectors of differing lengths, or a pair id without a preferred or a rejected row.</exception>
    public override RankingRewardTransformer Fit(IDataView input)
    {
        RequireColumns(ColumnRequirements.Of(input.Schema));
        var rows = TrainingRows.Read(input, new TrainingColumns(
            Options.FeatureColumnName,
            PromptFeatures: null,
            Options.LabelColumnName,
            Options.PairIdColumnName,
            Options.Group == RankingGroup.Prompt ? Options.PromptColumnName : null));
        var grouped = rows.Grouped();
        uint groups = grouped[^1].Group;
        var queries = _ml.Data.LoadFromEnumerable(
            grouped.Select(g => new QueryRow { Features = rows.FeaturesOf(g.Row), Relevance = rows.LabelOf(g.Row) ? 1f : 0f, Query = g.Group }),
            QueryRow.Schema(Options.FeatureColumnName, rows.Dimension, groups));

        var ranker = CreateRanker().Fit(queries);
        var rename = Options.ScoreColumnName == TreeScoreColumn
            ? null
            : _ml.Transforms.CopyColumns(Options.ScoreColumnName, TreeScoreColumn).Append(_ml.Transforms.DropColumns(TreeScoreColumn)).Fit(ranker.Transform(queries));
        var chain = new TransformerChain<ITransformer>(rename is null ? [ranker] : [ranker, .. rename]);
        return new RankingRewardTransformer(chain, Options, rows.Dimension, rows.Count, (int)groups);
    }

    private protected override void RequireColumns(ColumnRequirements columns)
    {
        columns.FloatVector(Options.FeatureColumnName, "the response features");
        columns.Boolean(Options.LabelColumnName, "true for the preferred response");
        columns.Text(Options.PairIdColumnName, "the pair id");
        if (Options.Group == RankingGroup.Prompt)
        {
            columns.Text(Options.PromptColumnName, "the prompt that groups the rows");
        }
    }

    private IEstimator<ITransformer> CreateRanker() => Options.Booster switch
    {
        RankingBooster.FastTree => _ml.Ranking.Trainers.FastTree(WithColumns(new FastTreeRankingTrainer.Options
        {
            NumberOfTrees = Options.NumberOfTrees,
            NumberOfLeaves = Options.NumberOfLeaves,
            MinimumExampleCountPerLeaf = Options.MinimumExampleCountPerLeaf,
            LearningRate = Options.LearningRate,
            NumberOfThreads = Options.Threads,
            Seed = Options.Seed,
        })),
        RankingBooster.LightGbm => _ml.Ranking.Trainers.LightGbm(WithColumns(new LightGbmRankingTrainer.Options
        {
            NumberOfIterations = Options.NumberOfTrees,
            NumberOfLeaves = Options.NumberOfLeaves,
            MinimumExampleCountPerLeaf = Options.MinimumExampleCountPerLeaf,
            LearningRate = Options.LearningRate,
            NumberOfThreads = Options.Threads,
            Seed = Options.Seed,
        })),
        _ => throw new InvalidOperationException($"unknown booster {Options.Booster}"),
    };

    /// <summary>Points a ranking trainer's options at the view <see cref="Fit"/> builds.</summary>
    private T WithColumns<T>(T trainerOptions)
        where T : TrainerInputBaseWithGroupId
    {
        trainerOptions.FeatureColumnName = Options.FeatureColumnName;
        trainerOptions.LabelColumnName = LabelColumn;
        trainerOptions.RowGroupColumnName = GroupColumn;
        return trainerOptions;
    }

    /// <summary>
    /// The input shape plus the Single score column. ML.NET offers no public way to build a schema-shape column, so the
    /// shape comes from a chain of built-in estimators that adds such a column (it is never fitted or saved).
    /// </summary>
    private static SchemaShape WithScore(MLContext ml, SchemaShape input, string scoreColumn)
        => ml.Transforms.CustomMapping<NoColumns, ShapeOfScore>(static (_, _) => { }, contractName: null)
            .Append(ml.Transforms.CopyColumns(scoreColumn, InternalColumns.Score))
            .Append(ml.Transforms.DropColumns(InternalColumns.Score))
            .GetOutputSchema(input);

    /// <summary>A row with one Single column, for <see cref="WithScore"/>.</summary>
    private sealed class ShapeOfScore
    {
        [ColumnName(InternalColumns.Score)]
        public float Score { get; set; }
    }

    /// <summary>A row of the view the ranking trainer is fitted on.</summary>
    private sealed class QueryRow
    {
        public float[] Features { get; set; } = [];

        public float Relevance { get; set; }

        public uint Query { get; set; }

        /// <summary>The feature column under the user's name with its size, the query as a key of <paramref name="groups"/> values.</summary>
        public static SchemaDefinition Schema(string featureColumn, int dimension, uint groups)
        {
            var schema = SchemaDefinition.Create(typeof(QueryRow));
            var (features, relevance, query) = (schema[nameof(Features)], schema[nameof(Relevance)], schema[nameof(Query)]);
            features.ColumnName = featureColumn;
            features.ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
            relevance.ColumnName = LabelColumn;
            query.ColumnName = GroupColumn;
            query.ColumnType = new KeyDataViewType(typeof(uint), groups);
            return schema;
        }
    }
}

/// <summary>
/// A fitted <see cref="RankingRewardTrainer"/>: ML.NET's ranking model over the feature column, writing the reward to the
/// score column. Saves with <c>mlContext.Model.Save</c> (the trees are ML.NET's own model format); a loaded model is the
/// underlying <see cref="TransformerChain{TLastTransformer}"/> and scores identically.
/// </summary>
public sealed class RankingRewardTransformer : BuiltInChainTransformer
{
    internal RankingRewardTransformer(TransformerChain<ITransformer> chain, RankingRewardTrainerOptions options, int featureDimension, int trainingRows, int trainingGroups)
        : base(chain)
    {
        Options = options;
        FeatureDimension = featureDimension;
        TrainingRows = trainingRows;
        TrainingGroups = trainingGroups;
    }

    /// <summary>The settings it was trained with.</summary>
    public RankingRewardTrainerOptions Options { get; }

    /// <summary>Length of the feature column the trees were trained on.</summary>
    public int FeatureDimension { get; }

    /// <summary>Rows (responses) it was trained on.</summary>
    public int TrainingRows { get; }

    /// <summary>Groups (queries) those rows formed: pairs or prompts, as <see cref="RankingRewardTrainerOptions.Group"/> says.</summary>
    public int TrainingGroups { get; }

    private protected override void ValidateInput(DataViewSchema inputSchema)
    {
        int size = SchemaChecks.RequireFloatVector(inputSchema, Options.FeatureColumnName, "the response features", FeatureDimension);
        if (size == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"column '{Options.FeatureColumnName}' (the response features) is a vector of variable size; the ranking head needs the known size {FeatureDimension} (the trees address features by index)");
        }
    }
}
