using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Data;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Models;

/// <summary>
/// A reward ensemble over text: featurizer + feature layout + <see cref="RewardEnsemble"/> + the aggregation to use. Every
/// score comes with the members' standard deviation. Saves as one model zip (member tensors under <c>members.{m}.</c>).
/// As an <see cref="IRewardScorer"/> it scores the aggregated reward, explained by the members' standard deviation
/// (<see cref="StdDevKey"/>).
/// </summary>
public sealed class EnsembleRewardModel : RewardModel
{
    /// <summary>The manifest's <c>component</c> for this model.</summary>
    public const string ComponentName = "reward-ensemble";

    /// <summary>The name of the <see cref="RewardScore.Explanation"/> entry that holds the members' standard deviation.</summary>
    public const string StdDevKey = "stdDev";

    private readonly PairFeaturizer _featurizer;

    /// <summary>Assembles a model; the members must take the features the layout builds.</summary>
    public EnsembleRewardModel(ITextEmbedder embedder, FeatureLayout layout, RewardEnsemble ensemble, EnsembleAggregator? aggregator = null, ModelInfo? info = null)
        : base(ComponentName, info)
    {
        _featurizer = new PairFeaturizer(embedder, layout);
        if (ensemble.InputDimension != _featurizer.Dimension)
        {
            throw new ArgumentException($"the members take {ensemble.InputDimension} features but {layout} over a {embedder.Dimension}-dimensional embedder gives {_featurizer.Dimension}", nameof(ensemble));
        }

        Aggregator = aggregator ?? EnsembleAggregator.Mean;
        Aggregator.Validate(ensemble.Members.Count);
        Ensemble = ensemble;
    }

    /// <summary>The text embedder.</summary>
    public ITextEmbedder Embedder => _featurizer.Embedder;

    /// <summary>How features are built from prompt and response embeddings.</summary>
    public FeatureLayout Layout => _featurizer.Layout;

    /// <summary>The members.</summary>
    public RewardEnsemble Ensemble { get; }

    /// <summary>How member rewards are combined.</summary>
    public EnsembleAggregator Aggregator { get; }

    /// <inheritdoc />
    public override string Description => $"{ComponentName} ({Ensemble.Members.Count} members, {Aggregator.Aggregation})";

    /// <summary>Aggregated rewards and member standard deviations of many (prompt, response) rows.</summary>
    public EnsembleScores Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        Ensemble.Score(_featurizer.FeaturizeResponses(prompts, responses), Aggregator);

    /// <summary>Aggregated rewards (and deviations) of the chosen and the rejected response of every pair.</summary>
    public (EnsembleScores Chosen, EnsembleScores Rejected) ScorePairs(IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)>? progress = null)
    {
        var data = _featurizer.Featurize(pairs, progress);
        return (Ensemble.Score(data.Chosen, Aggregator), Ensemble.Score(data.Rejected, Aggregator));
    }

    /// <summary>Loads and checks a model zip written by <see cref="RewardModel.Save(string)"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt, of another component or inconsistent.</exception>
    public static new EnsembleRewardModel Load(string path, FeaturizerContext? context = null)
        => FromContents(ModelArchive.Load(path, ComponentName), context);

    /// <summary>Loads and checks a model zip from <paramref name="stream"/> (read to its end; left open).</summary>
    /// <exception cref="ModelFormatException">The bytes are not a model zip, of another component or inconsistent.</exception>
    public static new EnsembleRewardModel Load(Stream stream, FeaturizerContext? context = null)
        => FromContents(ReadStream(stream, ComponentName), context);

    /// <inheritdoc />
    private protected override (JsonObject Body, IReadOnlyList<NamedTensor> Tensors) Describe()
    {
        var body = new JsonObject();
        FeaturizerManifest.Write(body, _featurizer);
        body["members"] = JsonSerializer.SerializeToNode<HeadSpec[]>([.. Ensemble.Members.Select(m => m.Spec)], ModelArchive.JsonOptions);
        body["aggregator"] = JsonSerializer.SerializeToNode(Aggregator, ModelArchive.JsonOptions);
        body["info"] = JsonSerializer.SerializeToNode(Info, ModelArchive.JsonOptions);
        return (body, [.. Ensemble.ExportTensors()]);
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<RewardScore> ScoreWithExplanation(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
    {
        var scores = Score(prompts, responses);
        return [.. scores.Rewards.Select((r, i) => new RewardScore(r, new Dictionary<string, float> { [StdDevKey] = scores.StdDevs[i] }))];
    }

    /// <summary>The model in checked zip contents of this component.</summary>
    internal static EnsembleRewardModel FromContents(ModelContents contents, FeaturizerContext? context)
    {
        string path = contents.Path;
        var (featurizerSpec, layout, inputDimension) = FeaturizerManifest.Read(contents);
        var embedder = featurizerSpec.CreateEmbedder(context ?? FeaturizerContext.Default);
        var ensemble = RewardEnsemble.Import(contents.Get<HeadSpec[]>("members"), inputDimension, contents);
        var aggregator = contents.Get<EnsembleAggregator>("aggregator");
        try
        {
            aggregator.Validate(ensemble.Members.Count);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ModelFormatException(path, $"the manifest's aggregator is invalid ({e.Message})", e);
        }

        return new EnsembleRewardModel(embedder, layout, ensemble, aggregator, contents.Get<ModelInfo>("info"));
    }
}
