using Microsoft.ML;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Training;
using MLNet.Rewards.Embedding;
using MLNet.Rewards.Pairwise;
using MLNet.Rewards.Ranking;

namespace MLNet.Rewards;

/// <summary>Adds <see cref="Rewards"/> to <see cref="MLContext"/>.</summary>
public static class MLContextRewardsExtensions
{
    /// <summary>The reward-modelling catalog: text embeddings, pairwise reward trainers (linear, MLP, prototype heads), gradient-boosted ranking heads and the gated multi-objective combiner for ML.NET pipelines.</summary>
    /// <example>
    /// <code>
    /// var ml = new MLContext(seed: 1);
    /// var train = ml.Rewards().LoadPreferencePairs(PreferencePairReader.ReadAll("train.jsonl"));
    /// var pipeline = ml.Rewards().EmbedText("PromptEmbedding", "Prompt")
    ///     .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response"))
    ///     .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
    ///     {
    ///         FeatureColumnName = "ResponseEmbedding",
    ///         PromptFeatureColumnName = "PromptEmbedding",
    ///         ValidationGroupColumnName = "Prompt",
    ///     }));
    /// var model = pipeline.Fit(train);
    /// ml.Model.Save(model, train.Schema, "reward.zip");
    /// </code>
    /// </example>
    public static RewardsCatalog Rewards(this MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new RewardsCatalog(mlContext);
    }
}

/// <summary>
/// Estimators for reward modelling, in the style of ML.NET's catalogs. Every fitted transformer saves with
/// <c>mlContext.Model.Save</c> and loads with <c>mlContext.Model.Load</c> in another process.
/// </summary>
public sealed class RewardsCatalog
{
    private readonly MLContext _ml;

    internal RewardsCatalog(MLContext ml)
    {
        _ml = ml;
    }

    /// <summary>
    /// Embeds the text column <paramref name="inputColumnName"/> into the vector column <paramref name="outputColumnName"/>
    /// with the featurizer <paramref name="featurizer"/> (by default the model-free hashing featurizer with 1024 buckets).
    /// </summary>
    /// <param name="outputColumnName">The vector column to write.</param>
    /// <param name="inputColumnName">The text column to read; defaults to <paramref name="outputColumnName"/>.</param>
    /// <param name="featurizer">Any featurizer's settings, for example <see cref="HashingFeaturizerSpec"/>.</param>
    /// <example>
    /// <code>
    /// var embed = ml.Rewards().EmbedText("ResponseEmbedding", "Response", new HashingFeaturizerSpec { Buckets = 512 });
    /// </code>
    /// </example>
    public TextEmbeddingEstimator EmbedText(string outputColumnName, string? inputColumnName = null, FeaturizerSpec? featurizer = null)
        => new(_ml, outputColumnName, inputColumnName ?? outputColumnName, featurizer ?? new HashingFeaturizerSpec());

    /// <summary>
    /// Trains a pairwise (Bradley–Terry) reward model on feature vectors; see <see cref="PairwiseRewardTrainerOptions"/>.
    /// The head is any <c>HeadSpec</c>: linear, MLP, or the prototypical head of Proto-RM (<c>PrototypeHeadSpec</c>), whose
    /// prototypes the trainer places on the training responses before the first epoch.
    /// </summary>
    /// <example>
    /// <code>
    /// var trainer = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
    /// {
    ///     FeatureColumnName = "Features",
    ///     Trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Seed = 1 },
    /// });
    /// var prototypical = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
    /// {
    ///     FeatureColumnName = "Features",
    ///     Trainer = new PairwiseTrainerOptions { Head = new PrototypeHeadSpec { Prototypes = 32 }, LearningRate = 1e-2f, Seed = 1 },
    /// });
    /// </code>
    /// </example>
    public PairwiseRewardTrainer PairwiseReward(PairwiseRewardTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PairwiseRewardTrainer(_ml, options);
    }

    /// <summary>
    /// Trains a pairwise reward model on the given columns with its key hyperparameters (the rest at the defaults of
    /// <see cref="PairwiseTrainerOptions"/>), as ML.NET's trainers offer a columns overload beside the options one.
    /// </summary>
    /// <param name="featureColumnName">The response's feature vector.</param>
    /// <param name="promptFeatureColumnName">Optional prompt embedding (see <see cref="PairwiseRewardTrainerOptions.PromptFeatureColumnName"/>).</param>
    /// <param name="labelColumnName">Boolean: true for the preferred response.</param>
    /// <param name="pairIdColumnName">Text: rows with the same value are compared.</param>
    /// <param name="scoreColumnName">The reward column to write.</param>
    /// <param name="head">The head (<c>LinearHeadSpec</c>, <c>MlpHeadSpec</c>, <c>PrototypeHeadSpec</c>); null: the MLP D → 1024 → 512 → 1.</param>
    /// <param name="maxEpochs">Most passes over the training pairs.</param>
    /// <param name="learningRate">AdamW step size.</param>
    /// <param name="seed">Seed of initialisation, shuffling and the validation split.</param>
    public PairwiseRewardTrainer PairwiseReward(string featureColumnName = "Features", string? promptFeatureColumnName = null, string labelColumnName = "Label", string pairIdColumnName = "PairId", string scoreColumnName = "Score", HeadSpec? head = null, int maxEpochs = 20, float learningRate = 1e-3f, long seed = 0)
        => PairwiseReward(new PairwiseRewardTrainerOptions
        {
            FeatureColumnName = featureColumnName,
            PromptFeatureColumnName = promptFeatureColumnName,
            LabelColumnName = labelColumnName,
            PairIdColumnName = pairIdColumnName,
            ScoreColumnName = scoreColumnName,
            Trainer = new PairwiseTrainerOptions { Head = head ?? new MlpHeadSpec(), MaxEpochs = maxEpochs, LearningRate = learningRate, Seed = seed },
        });

    /// <summary>
    /// Trains a gradient-boosted ranking head with ML.NET's own ranking trainers (FastTree or LightGBM LambdaRank): the
    /// rows of a pair (or of a prompt) form a query in which preferred responses should rank above rejected ones; see
    /// <see cref="RankingRewardTrainerOptions"/>. The trees save in the same model zip as the rest of the pipeline.
    /// </summary>
    /// <example>
    /// <code>
    /// var trainer = ml.Rewards().RankingReward(new RankingRewardTrainerOptions
    /// {
    ///     FeatureColumnName = "Features",
    ///     Group = RankingGroup.Prompt,
    ///     Booster = RankingBooster.LightGbm,
    ///     NumberOfTrees = 200,
    /// });
    /// </code>
    /// </example>
    public RankingRewardTrainer RankingReward(RankingRewardTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RankingRewardTrainer(_ml, options);
    }

    /// <summary>Trains a gradient-boosted ranking head on the given columns with its key hyperparameters (the rest at their defaults).</summary>
    /// <param name="featureColumnName">The response's feature vector (known size).</param>
    /// <param name="labelColumnName">Boolean: true for the preferred response.</param>
    /// <param name="pairIdColumnName">Text: rows with the same value are compared.</param>
    /// <param name="scoreColumnName">The reward column to write.</param>
    /// <param name="group">Which rows are ranked against each other; <see cref="RankingGroup.Prompt"/> reads the text column "Prompt".</param>
    /// <param name="booster">FastTree or LightGBM.</param>
    /// <param name="numberOfTrees">Boosting rounds.</param>
    /// <param name="numberOfLeaves">Most leaves per tree.</param>
    /// <param name="learningRate">Shrinkage of each tree.</param>
    public RankingRewardTrainer RankingReward(string featureColumnName = "Features", string labelColumnName = "Label", string pairIdColumnName = "PairId", string scoreColumnName = "Score", RankingGroup group = RankingGroup.Pair, RankingBooster booster = RankingBooster.FastTree, int numberOfTrees = 100, int numberOfLeaves = 20, double learningRate = 0.2)
        => RankingReward(new RankingRewardTrainerOptions
        {
            FeatureColumnName = featureColumnName,
            LabelColumnName = labelColumnName,
            PairIdColumnName = pairIdColumnName,
            ScoreColumnName = scoreColumnName,
            Group = group,
            Booster = booster,
            NumberOfTrees = numberOfTrees,
            NumberOfLeaves = numberOfLeaves,
            LearningRate = learningRate,
        });

    /// <summary>
    /// Trains a gated multi-objective reward model (ArmoRM) on (prompt, response) text rows: one objective per rating
    /// column, per principle's label column or length measure, combined by a prompt-conditioned gate trained on the
    /// comparisons of the label column; see <see cref="MultiObjectiveRewardTrainerOptions"/>.
    /// </summary>
    /// <example>
    /// <code>
    /// var trainer = ml.Rewards().MultiObjectiveReward(new MultiObjectiveRewardTrainerOptions
    /// {
    ///     Objectives = [new PreferenceObjectiveColumn("Helpful"), new PreferenceObjectiveColumn("Harmless"), new LengthObjectiveColumn("Length")],
    ///     LabelColumnName = "Harmless",
    ///     Trainer = new MultiObjectiveTrainerOptions { Gate = new GatingHeadSpec { HiddenSizes = [64] }, Seed = 1 },
    /// });
    /// // writes Score, ObjectiveRewards (one value per objective) and GateWeights
    /// </code>
    /// </example>
    public MultiObjectiveRewardTrainer MultiObjectiveReward(MultiObjectiveRewardTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new MultiObjectiveRewardTrainer(_ml, options);
    }

    /// <summary>
    /// Trains a gated multi-objective reward model on the given columns with its key settings (the rest at the defaults of
    /// <see cref="MultiObjectiveRewardTrainerOptions"/>).
    /// </summary>
    /// <param name="objectives">One entry per objective: a rating column, a principle's label column or a length measure.</param>
    /// <param name="labelColumnName">Boolean: the comparisons the gate is trained on (rows with the same pair id are compared).</param>
    /// <param name="promptColumnName">The prompt text.</param>
    /// <param name="responseColumnName">The response text.</param>
    /// <param name="pairIdColumnName">Text: rows with the same value are compared.</param>
    /// <param name="scoreColumnName">The combined reward column to write.</param>
    /// <param name="featurizer">The text featurizer saved with the model; null: hashing with 1024 buckets.</param>
    /// <param name="seed">Seed of every objective's and the gate's training.</param>
    public MultiObjectiveRewardTrainer MultiObjectiveReward(IReadOnlyList<ObjectiveColumn> objectives, string labelColumnName = "Label", string promptColumnName = "Prompt", string responseColumnName = "Response", string pairIdColumnName = "PairId", string scoreColumnName = "Score", FeaturizerSpec? featurizer = null, long seed = 0)
        => MultiObjectiveReward(new MultiObjectiveRewardTrainerOptions
        {
            Objectives = objectives,
            LabelColumnName = labelColumnName,
            PromptColumnName = promptColumnName,
            ResponseColumnName = responseColumnName,
            PairIdColumnName = pairIdColumnName,
            ScoreColumnName = scoreColumnName,
            Featurizer = featurizer ?? new HashingFeaturizerSpec(),
            Trainer = new MultiObjectiveTrainerOptions { Seed = seed },
        });

    /// <summary>
    /// Evaluates scored preference data, one row per response as <see cref="LoadPreferencePairs"/> lays it out and any
    /// reward transformer scores it: the rows of each pair id are matched into (preferred, rejected) comparisons as the
    /// trainers match them, whatever their order, and measured by <see cref="PairwiseEvaluator"/>: pairwise accuracy with a
    /// bootstrap 95% interval (overall and per source), log-loss, calibration error, the correlation of reward with
    /// response length and the accuracy split by length (<see cref="EvaluationReport.ByLength"/>).
    /// </summary>
    /// <param name="data">Scored rows, for example <c>model.Transform(testData)</c>.</param>
    /// <param name="labelColumnName">Boolean: true for the preferred response.</param>
    /// <param name="pairIdColumnName">Text: the rows of one pair share it.</param>
    /// <param name="scoreColumnName">Single: the reward.</param>
    /// <param name="responseColumnName">Text: the response, for the length measures; null to leave them out (NaN).</param>
    /// <param name="sourceColumnName">Text: the pair's dataset, for the accuracy per source; null to leave it out.</param>
    /// <param name="options">Bootstrap and calibration settings.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type (the message names it).</exception>
    /// <exception cref="InvalidOperationException">No rows, a score that is not a finite number, or a pair id without
    /// both a preferred and a rejected row.</exception>
    /// <example>
    /// <code>
    /// var report = ml.Rewards().Evaluate(model.Transform(ml.Rewards().LoadPreferencePairs(testPairs)));
    /// Console.WriteLine($"{report.Overall.Accuracy:P1}, beyond length {report.ByLength.MeanAccuracy:F3}");
    /// </code>
    /// </example>
    public EvaluationReport Evaluate(IDataView data, string labelColumnName = "Label", string pairIdColumnName = "PairId", string scoreColumnName = "Score", string? responseColumnName = "Response", string? sourceColumnName = "Source", EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var scored = ScoredPairs.Read(data, new ScoredColumns(labelColumnName, pairIdColumnName, scoreColumnName, responseColumnName, sourceColumnName));
        return new PairwiseEvaluator(options).Evaluate(scored.Pairs, scored.Chosen, scored.Rejected);
    }

    /// <summary>
    /// Preference pairs as training data, one row per response (<see cref="PreferenceRow"/>): columns PairId, Source,
    /// Prompt, Response and Label (true for the chosen response).
    /// </summary>
    public IDataView LoadPreferencePairs(IEnumerable<PreferencePair> pairs)
        => _ml.Data.LoadFromEnumerable(PreferenceRow.From(pairs));
}

/// <summary>One response of a preference pair, as a row of training data.</summary>
public sealed class PreferenceRow
{
    /// <summary>The pair's id: the two rows of a pair share it.</summary>
    public string PairId { get; set; } = string.Empty;

    /// <summary>The dataset the pair comes from.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>The prompt.</summary>
    public string Prompt { get; set; } = string.Empty;

    /// <summary>The response.</summary>
    public string Response { get; set; } = string.Empty;

    /// <summary>True for the chosen response, false for the rejected one.</summary>
    public bool Label { get; set; }

    /// <summary>Two rows per pair: the chosen response, then the rejected one.</summary>
    public static IEnumerable<PreferenceRow> From(IEnumerable<PreferencePair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        foreach (var pair in pairs)
        {
            yield return new PreferenceRow { PairId = pair.Id, Source = pair.Source, Prompt = pair.Prompt, Response = pair.Chosen, Label = true };
            yield return new PreferenceRow { PairId = pair.Id, Source = pair.Source, Prompt = pair.Prompt, Response = pair.Rejected, Label = false };
        }
    }
}
