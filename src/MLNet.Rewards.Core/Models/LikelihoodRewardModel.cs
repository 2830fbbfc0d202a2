using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Models;

/// <summary>Which reward a <see cref="LikelihoodRewardModel"/> reads off a response's log-likelihoods.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LikelihoodReward>))]
public enum LikelihoodReward
{
    /// <summary>(log p(y|x) − log p(y)) / tokens: how much the prompt raises each token's likelihood, whatever the length.</summary>
    PointwiseMutualInformationPerToken,

    /// <summary>log p(y|x) − log p(y), summed over the response.</summary>
    PointwiseMutualInformation,

    /// <summary>log p(y|x) / tokens: how fluent and expected the response is after its prompt.</summary>
    LogLikelihoodPerToken,
}

/// <summary>The settings of a <see cref="LikelihoodRewardModel"/>, saved in its zip.</summary>
public sealed record LikelihoodRewardOptions
{
    /// <summary>The reward read off the log-likelihoods.</summary>
    public LikelihoodReward Reward { get; init; } = LikelihoodReward.PointwiseMutualInformationPerToken;

    /// <summary>Most prompt tokens (the earliest turns are dropped first).</summary>
    public int MaxPromptTokens { get; init; } = 384;

    /// <summary>Most response tokens scored, its end-of-turn token included (the rest of a longer response is not read).</summary>
    public int MaxResponseTokens { get; init; } = 384;

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(Enum.IsDefined(Reward), nameof(Reward), Reward, "must be PointwiseMutualInformationPerToken, PointwiseMutualInformation or LogLikelihoodPerToken");
        OptionValidation.Require(MaxPromptTokens >= 16, nameof(MaxPromptTokens), MaxPromptTokens, "must be at least 16 (the chat template itself takes about a dozen)");
        OptionValidation.Require(MaxResponseTokens >= 1, nameof(MaxResponseTokens), MaxResponseTokens, "must be positive");
    }
}

/// <summary>
/// A reward model with no training: a local chat model's teacher-forced log-likelihood of the response after its prompt
/// and after an empty user turn, read as a reward (<see cref="LikelihoodReward"/>). The pointwise mutual information
/// ranks a response by how much its own prompt explains it, so a fluent answer to another instruction scores low
/// (docs/generalist.md: on LLMBar it beats every trained head, though PMI per token also favours short responses,
/// and on harmlessness it knows nothing). Each score runs the chat model twice. The zip holds
/// the settings and the chat model file's SHA-256, no weights: the chat model folder is read when the zip is loaded
/// (<see cref="FeaturizerContext.ModelDirectory"/> points at another copy). Scores are explained by
/// <see cref="LogLikelihoodKey"/>, <see cref="WithoutPromptKey"/> and <see cref="TokensKey"/>.
/// </summary>
public sealed class LikelihoodRewardModel : RewardModel, IDisposable
{
    /// <summary>The manifest's <c>component</c> for this model.</summary>
    public const string ComponentName = "likelihood-reward";

    /// <summary>Explanation entry: log p(y|x), summed over the scored tokens.</summary>
    public const string LogLikelihoodKey = "logLikelihood";

    /// <summary>Explanation entry: log p(y) after an empty user turn, summed over the scored tokens.</summary>
    public const string WithoutPromptKey = "logLikelihoodWithoutPrompt";

    /// <summary>Explanation entry: how many response tokens were scored.</summary>
    public const string TokensKey = "tokens";

    private readonly CausalLanguageModel _chatModel;
    private readonly ResponseLikelihood _likelihood;

    private LikelihoodRewardModel(string modelDirectory, string modelSha256, CausalLanguageModel chatModel, LikelihoodRewardOptions options, ModelInfo? info)
        : base(ComponentName, info)
    {
        ModelDirectory = modelDirectory;
        ModelSha256 = modelSha256;
        Options = options;
        _chatModel = chatModel;
        _likelihood = new ResponseLikelihood(chatModel, options.MaxPromptTokens, options.MaxResponseTokens);
    }

    /// <summary>The chat model folder (model.onnx, tokenizer.json, tokenizer_config.json, config.json).</summary>
    public string ModelDirectory { get; }

    /// <summary>Lower-case hex SHA-256 of the chat model's model.onnx.</summary>
    public string ModelSha256 { get; }

    /// <summary>The settings.</summary>
    public LikelihoodRewardOptions Options { get; }

    /// <inheritdoc />
    public override string Description => $"{ComponentName} ({Options.Reward} under {Path.GetFileName(Path.TrimEndingDirectorySeparator(ModelDirectory))})";

    /// <summary>A model over the chat model in <paramref name="modelDirectory"/>.</summary>
    /// <exception cref="ModelFormatException">A file of the folder is missing or the ONNX file is not a KV-cache decoder with logits.</exception>
    public static LikelihoodRewardModel Create(string modelDirectory, LikelihoodRewardOptions? options = null, CausalLanguageModelOptions? modelOptions = null)
    {
        options ??= new LikelihoodRewardOptions();
        options.Validate();
        string sha256 = ModelFileHash.Sha256Of(ChatModelFolder.Open(modelDirectory).Model);
        return Wrap(modelDirectory, sha256, CausalLanguageModel.Load(modelDirectory, modelOptions), options, info: null);
    }

    /// <summary>The reward of each (prompt, response) row; two chat model runs a row.</summary>
    public float[] Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses, CancellationToken cancellationToken = default) =>
        [.. Measure(prompts, responses, cancellationToken).Select(RewardOf)];

    /// <summary>Loads a model zip and the chat model it names (from <paramref name="context"/>'s folder when given, and checked against the saved SHA-256).</summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt or of another component, or the chat model is not the one the zip was made with.</exception>
    public static new LikelihoodRewardModel Load(string path, FeaturizerContext? context = null)
        => FromContents(ModelArchive.Load(path, ComponentName), context);

    /// <summary>Loads a model zip from <paramref name="stream"/> (read to its end; left open), like <see cref="Load(string, FeaturizerContext?)"/>.</summary>
    public static new LikelihoodRewardModel Load(Stream stream, FeaturizerContext? context = null)
        => FromContents(ReadStream(stream, ComponentName), context);

    /// <summary>Releases the chat model's ONNX Runtime session.</summary>
    public void Dispose() => _chatModel.Dispose();

    /// <inheritdoc />
    private protected override (JsonObject Body, IReadOnlyList<NamedTensor> Tensors) Describe()
    {
        var body = new JsonObject
        {
            ["modelDirectory"] = ModelDirectory,
            ["modelSha256"] = ModelSha256,
            ["options"] = JsonSerializer.SerializeToNode(Options, ModelArchive.JsonOptions),
            ["info"] = JsonSerializer.SerializeToNode(Info, ModelArchive.JsonOptions),
        };
        return (body, []);
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<RewardScore> ScoreWithExplanation(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        [.. Measure(prompts, responses, CancellationToken.None).Select(v => new RewardScore(RewardOf(v), new Dictionary<string, float>
        {
            [LogLikelihoodKey] = (float)v.GivenPrompt,
            [WithoutPromptKey] = (float)v.WithoutPrompt,
            [TokensKey] = v.Tokens,
        }))];

    /// <summary>The model in checked zip contents of this component.</summary>
    internal static LikelihoodRewardModel FromContents(ModelContents contents, FeaturizerContext? context)
    {
        var options = contents.Get<LikelihoodRewardOptions>("options");
        try
        {
            options.Validate();
        }
        catch (InvalidOptionException e)
        {
            throw new ModelFormatException(contents.Path, $"the manifest's options are invalid ({e.Message})", e);
        }

        string directory = context?.ModelDirectory ?? contents.Get<string>("modelDirectory");
        string sha256 = contents.Get<string>("modelSha256");
        ModelFileHash.Require(ChatModelFolder.Open(directory).Model, sha256, "chat model");
        var chatModel = CausalLanguageModel.Load(directory, new CausalLanguageModelOptions { ExecutionProvider = context?.ExecutionProvider ?? default });
        return Wrap(directory, sha256, chatModel, options, contents.Get<ModelInfo>("info"));
    }

    private static LikelihoodRewardModel Wrap(string directory, string sha256, CausalLanguageModel chatModel, LikelihoodRewardOptions options, ModelInfo? info)
    {
        try
        {
            return new LikelihoodRewardModel(directory, sha256, chatModel, options, info);
        }
        catch
        {
            chatModel.Dispose();
            throw;
        }
    }

    private List<ResponseLogLikelihood> Measure(IReadOnlyList<string> prompts, IReadOnlyList<string> responses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        if (prompts.Count != responses.Count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{prompts.Count} prompts but {responses.Count} responses"), nameof(responses));
        }

        return [.. prompts.Select((prompt, i) => _likelihood.Measure(prompt, responses[i], cancellationToken))];
    }

    private float RewardOf(ResponseLogLikelihood value) => (float)value.Reward(Options.Reward);
}
