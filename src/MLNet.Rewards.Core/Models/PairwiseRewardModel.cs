using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Models;

/// <summary>
/// A trained pairwise (Bradley–Terry) reward model: featurizer + feature layout + head. Scores any (prompt, response);
/// saves to and loads from a model zip that carries everything needed to score again. As an <see cref="IRewardScorer"/>
/// it scores the reward alone (no explanation).
/// </summary>
public sealed class PairwiseRewardModel : RewardModel
{
    /// <summary>The manifest's <c>component</c> for this model.</summary>
    public const string ComponentName = "pairwise-reward";

    private readonly PairFeaturizer _featurizer;

    /// <summary>Assembles a model from its parts; the head must take the features the layout builds.</summary>
    public PairwiseRewardModel(ITextEmbedder embedder, FeatureLayout layout, RewardHead head, ModelInfo? info = null)
        : base(ComponentName, info)
    {
        _featurizer = new PairFeaturizer(embedder, layout);
        if (head.InputDimension != _featurizer.Dimension)
        {
            throw new ArgumentException($"the head takes {head.InputDimension} features but {layout} over a {embedder.Dimension}-dimensional embedder gives {_featurizer.Dimension}", nameof(head));
        }

        Head = head;
    }

    /// <summary>The text embedder.</summary>
    public ITextEmbedder Embedder => _featurizer.Embedder;

    /// <summary>How features are built from prompt and response embeddings.</summary>
    public FeatureLayout Layout => _featurizer.Layout;

    /// <summary>The reward head.</summary>
    public RewardHead Head { get; }

    /// <inheritdoc />
    public override string Description =>
        $"{ComponentName} ({Head.Spec.GetType().Name.Replace("HeadSpec", "", StringComparison.Ordinal).ToLowerInvariant()} head on {Embedder.Spec.GetType().Name.Replace("FeaturizerSpec", "", StringComparison.Ordinal).ToLowerInvariant()}-{Embedder.Dimension})";

    /// <summary>The reward of one response to one prompt.</summary>
    public float Score(string prompt, string response) => Score([prompt], [response])[0];

    /// <summary>Rewards of many (prompt, response) rows.</summary>
    public float[] Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
    {
        var rewards = new float[prompts.Count];
        Head.Score(_featurizer.FeaturizeResponses(prompts, responses), rewards);
        return rewards;
    }

    /// <summary>Rewards of the chosen and the rejected response of every pair.</summary>
    public (float[] Chosen, float[] Rejected) ScorePairs(IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)>? progress = null)
    {
        var data = _featurizer.Featurize(pairs, progress);
        var chosen = new float[pairs.Count];
        var rejected = new float[pairs.Count];
        Head.Score(data.Chosen, chosen);
        Head.Score(data.Rejected, rejected);
        return (chosen, rejected);
    }

    /// <summary>Loads and checks a model zip written by <see cref="RewardModel.Save(string)"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt, of another component or inconsistent.</exception>
    public static new PairwiseRewardModel Load(string path, FeaturizerContext? context = null)
        => FromContents(ModelArchive.Load(path, ComponentName), context);

    /// <summary>Loads and checks a model zip from <paramref name="stream"/> (read to its end; left open).</summary>
    /// <exception cref="ModelFormatException">The bytes are not a model zip, of another component or inconsistent.</exception>
    public static new PairwiseRewardModel Load(Stream stream, FeaturizerContext? context = null)
        => FromContents(ReadStream(stream, ComponentName), context);

    /// <inheritdoc />
    private protected override (JsonObject Body, IReadOnlyList<NamedTensor> Tensors) Describe()
    {
        var body = new JsonObject
        {
            ["head"] = JsonSerializer.SerializeToNode<HeadSpec>(Head.Spec, ModelArchive.JsonOptions),
            ["info"] = JsonSerializer.SerializeToNode(Info, ModelArchive.JsonOptions),
        };
        FeaturizerManifest.Write(body, _featurizer);
        return (body, [.. HeadTensors.Export(Head)]);
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<RewardScore> ScoreWithExplanation(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        [.. Score(prompts, responses).Select(r => new RewardScore(r))];

    /// <summary>The model in checked zip contents of this component.</summary>
    internal static PairwiseRewardModel FromContents(ModelContents contents, FeaturizerContext? context)
    {
        var (featurizerSpec, layout, inputDimension) = FeaturizerManifest.Read(contents);

        var head = HeadTensors.Import(contents.Get<HeadSpec>("head"), inputDimension, contents);
        var embedder = featurizerSpec.CreateEmbedder(context ?? FeaturizerContext.Default);
        return new PairwiseRewardModel(embedder, layout, head, contents.Get<ModelInfo>("info"));
    }
}

/// <summary>What a model zip records about how the model was made and how well it did.</summary>
public sealed record ModelInfo
{
    /// <summary>The trainer's hyperparameters, as a JSON object.</summary>
    public JsonObject? Hyperparameters { get; init; }

    /// <summary>Training metadata: data hash, pair counts, epochs.</summary>
    public TrainingMetadata? Training { get; init; }

    /// <summary>Metrics measured after training, by name (e.g. <c>validation.accuracy</c>).</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];

    /// <summary>Reward normalisation statistics over the training responses (null in zips written before they were recorded).</summary>
    public RewardStatistics? Rewards { get; init; }
}

/// <summary>Where a model's training data came from and how training went.</summary>
/// <param name="DataHash">SHA-256 over the training pairs (ids and texts, in order).</param>
/// <param name="Pairs">Pairs used for training (after the validation hold-out).</param>
/// <param name="ValidationPairs">Pairs held out for early stopping.</param>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">Epoch whose weights were kept.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Sources">The data files or generator used.</param>
public sealed record TrainingMetadata(string DataHash, int Pairs, int ValidationPairs, int Epochs, int BestEpoch, long Seed, IReadOnlyList<string> Sources);
