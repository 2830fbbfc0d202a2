namespace MLNet.Rewards.Ranking;

/// <summary>Which rows a ranking head compares with each other (ML.NET's row group).</summary>
public enum RankingGroup
{
    /// <summary>The rows of one pair id: the chosen response against the rejected one(s). The ranking loss sees exactly the comparisons a Bradley–Terry head sees.</summary>
    Pair,

    /// <summary>
    /// The rows of one prompt (<see cref="RankingRewardTrainerOptions.PromptColumnName"/>): every response labelled
    /// preferred against every response labelled rejected under that prompt, including those of other pairs.
    /// </summary>
    Prompt,
}

/// <summary>The gradient-boosting library that trains the ranking head.</summary>
public enum RankingBooster
{
    /// <summary>ML.NET's FastTree LambdaRank (Microsoft.ML.FastTree, managed code with a small native helper).</summary>
    FastTree,

    /// <summary>LightGBM's lambdarank objective through Microsoft.ML.LightGbm (native lib_lightgbm, needs libgomp on Linux).</summary>
    LightGbm,
}

/// <summary>
/// Settings of <see cref="RankingRewardTrainer"/>: the columns it reads and writes, the grouping and the boosted trees'
/// hyperparameters. The trees are ML.NET's own ranking trainers (LambdaRank on NDCG); a preferred row is relevance 1, a
/// rejected row relevance 0.
/// </summary>
/// <remarks>
/// Training data has one row per response, as for <see cref="Pairwise.PairwiseRewardTrainer"/>: rows that share a
/// <see cref="PairIdColumnName"/> form a comparison. Scoring data needs only the feature column, which must be a vector of
/// known size (the trees address features by index). To let the head see the prompt, concatenate its embedding into the
/// feature column (<c>mlContext.Transforms.Concatenate</c>) or build the feature column as you wish.
/// </remarks>
public sealed record RankingRewardTrainerOptions : IComponentOptions
{
    /// <summary>The response's feature vector (known size).</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>Boolean: true for the preferred response of its pair, false for the others.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Text: rows with the same value are compared with each other; every pair id needs a preferred and a rejected row.</summary>
    public string PairIdColumnName { get; init; } = "PairId";

    /// <summary>Which rows are ranked against each other: the rows of a pair (default) or of a prompt.</summary>
    public RankingGroup Group { get; init; } = RankingGroup.Pair;

    /// <summary>Text: the prompt, read only when <see cref="Group"/> is <see cref="RankingGroup.Prompt"/>.</summary>
    public string PromptColumnName { get; init; } = "Prompt";

    /// <summary>The reward column written (Single).</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>The library that trains the trees.</summary>
    public RankingBooster Booster { get; init; } = RankingBooster.FastTree;

    /// <summary>Number of boosting rounds (trees).</summary>
    public int NumberOfTrees { get; init; } = 100;

    /// <summary>Most leaves per tree.</summary>
    public int NumberOfLeaves { get; init; } = 20;

    /// <summary>Fewest training rows in a leaf.</summary>
    public int MinimumExampleCountPerLeaf { get; init; } = 10;

    /// <summary>Shrinkage of each tree's contribution.</summary>
    public double LearningRate { get; init; } = 0.2;

    /// <summary>Threads the booster uses; null lets the library choose (all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Seed of the booster's sampling.</summary>
    public int Seed { get; init; }

    /// <summary>Checks the options, naming the one that is wrong.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public void Validate()
    {
        ColumnOptions.Required([(FeatureColumnName, nameof(FeatureColumnName)), (LabelColumnName, nameof(LabelColumnName)), (PairIdColumnName, nameof(PairIdColumnName)), (ScoreColumnName, nameof(ScoreColumnName))]);
        if (Group == RankingGroup.Prompt)
        {
            ColumnOptions.Required([(PromptColumnName, nameof(PromptColumnName))]);
        }

        OptionValidation.Require(Enum.IsDefined(Group), nameof(Group), Group, "must be Pair or Prompt");
        OptionValidation.Require(Enum.IsDefined(Booster), nameof(Booster), Booster, "must be FastTree or LightGbm");
        OptionValidation.Require(NumberOfTrees >= 1, nameof(NumberOfTrees), NumberOfTrees, "must be at least 1");
        OptionValidation.Require(NumberOfLeaves >= 2, nameof(NumberOfLeaves), NumberOfLeaves, "must be at least 2");
        OptionValidation.Require(MinimumExampleCountPerLeaf >= 1, nameof(MinimumExampleCountPerLeaf), MinimumExampleCountPerLeaf, "must be at least 1");
        OptionValidation.Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be a positive number");
        OptionValidation.Require(Threads is null || Threads >= 1, nameof(Threads), Threads, "must be null or at least 1");
    }
}
