using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Featurization;

/// <summary>How a chat model's final hidden states over a conversation become one vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChatStatePooling>))]
public enum ChatStatePooling
{
    /// <summary>The state of the last token (the response's end-of-turn token), as the "Reusing Embeddings" paper uses.</summary>
    LastToken,

    /// <summary>The mean of the states of every token of the conversation.</summary>
    Mean,

    /// <summary>Both, concatenated: [last token, mean] (twice the hidden size).</summary>
    LastTokenAndMean,
}

/// <summary>What to do with a conversation longer than <see cref="ChatHiddenStateFeaturizerSpec.MaxTokens"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LongInputPolicy>))]
public enum LongInputPolicy
{
    /// <summary>Keep the last tokens: the response's end and as much of the conversation before it as fits.</summary>
    TruncateLeft,

    /// <summary>Keep the first tokens (the end of the response is cut off).</summary>
    TruncateRight,

    /// <summary>Refuse the text: the caller drops the pairs that do not fit (see <see cref="ChatHiddenStateEmbedder.Fits"/>).</summary>
    Drop,
}

/// <summary>
/// Settings of the <see cref="ChatHiddenStateEmbedder"/>: the final hidden states of a chat LLM (SmolLM2-135M-Instruct's
/// ONNX file with its <c>hidden_states</c> output) over a (prompt, response) rendered with the model's chat template,
/// pooled into one vector, in the spirit of "Reusing Embeddings" (Sun et al., 2025), whose embeddings are an LLM's
/// last-layer, last-token state. Prefill only: no token is generated.
/// </summary>
public sealed record ChatHiddenStateFeaturizerSpec : FeaturizerSpec, IEmbeddingIdentity, IConversationFeaturizerSpec
{
    /// <summary>The manifest's <c>kind</c> for this featurizer.</summary>
    public const string KindName = "chat-hidden-state";

    /// <summary>The chat model folder (model.onnx, tokenizer.json, tokenizer_config.json, config.json).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>Lower-case hex SHA-256 of the folder's model.onnx.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>Width of the model's hidden states (576 for SmolLM2-135M).</summary>
    public required int HiddenSize { get; init; }

    /// <summary>How the states are pooled.</summary>
    public ChatStatePooling Pooling { get; init; } = ChatStatePooling.LastToken;

    /// <summary>Most tokens of one rendered conversation (chat template included).</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>What happens to longer conversations.</summary>
    public LongInputPolicy LongInputs { get; init; } = LongInputPolicy.TruncateLeft;

    /// <summary>Most padded tokens per model run (rows × longest row); a longer conversation runs alone.</summary>
    public int BatchTokens { get; init; } = 4096;

    /// <summary>ONNX Runtime intra-op threads (0 = one per core).</summary>
    public int Threads { get; init; }

    /// <summary>Where ONNX Runtime runs the model; a property of the machine, not saved in model zips.</summary>
    [JsonIgnore]
    public Onnx.OnnxExecutionProvider ExecutionProvider { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override int Dimension => Pooling == ChatStatePooling.LastTokenAndMean ? 2 * HiddenSize : HiddenSize;

    /// <summary>What determines the vectors (model file, pooling, length limit and policy), not how fast they are made.</summary>
    [JsonIgnore]
    public string EmbeddingIdentity => $"{KindName};sha256={ModelSha256};pooling={Pooling};maxTokens={MaxTokens};longInputs={LongInputs}";

    /// <summary>Path of the ONNX file.</summary>
    [JsonIgnore]
    public string ModelPath => Path.Combine(ModelDirectory, "model.onnx");

    /// <inheritdoc />
    public override ITextEmbedder CreateEmbedder(FeaturizerContext context)
    {
        var spec = context.ModelDirectory is { } directory ? this with { ModelDirectory = directory } : this;
        spec = context.ExecutionProvider is { } provider ? spec with { ExecutionProvider = provider } : spec;
        ModelFileHash.Require(spec.ModelPath, ModelSha256, "chat model");
        return new ChatHiddenStateEmbedder(spec);
    }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(!string.IsNullOrWhiteSpace(ModelDirectory), nameof(ModelDirectory), ModelDirectory, "must name the model folder");
        OptionValidation.Require(HiddenSize >= 1, nameof(HiddenSize), HiddenSize, "must be positive");
        OptionValidation.Require(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "must be LastToken, Mean or LastTokenAndMean");
        OptionValidation.Require(Enum.IsDefined(LongInputs), nameof(LongInputs), LongInputs, "must be TruncateLeft, TruncateRight or Drop");
        OptionValidation.Require(MaxTokens >= 8, nameof(MaxTokens), MaxTokens, "must be at least 8 tokens (the chat template's own)");
        OptionValidation.Require(BatchTokens >= 1, nameof(BatchTokens), BatchTokens, "must be at least 1");
        OptionValidation.Require(Threads >= 0, nameof(Threads), Threads, "must be 0 (all cores) or a positive thread count");
    }

    /// <summary>The spec of a chat model folder: the SHA-256 of its model.onnx and the hidden size of its config.json.</summary>
    /// <exception cref="ModelFormatException">A file is missing or config.json has no positive <c>hidden_size</c>.</exception>
    public static ChatHiddenStateFeaturizerSpec FromModelDirectory(string modelDirectory, ChatStatePooling pooling = ChatStatePooling.LastToken)
    {
        var folder = ChatModelFolder.Open(modelDirectory);
        int hidden;
        try
        {
            using var config = JsonDocument.Parse(File.ReadAllBytes(folder.ConfigJson));
            hidden = config.RootElement.TryGetProperty("hidden_size", out var value) && value.TryGetInt32(out int size) && size > 0
                ? size
                : throw new ModelFormatException(folder.ConfigJson, "has no positive integer 'hidden_size'");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(folder.ConfigJson, $"not valid JSON ({e.Message})", e);
        }

        var spec = new ChatHiddenStateFeaturizerSpec
        {
            ModelDirectory = modelDirectory,
            ModelSha256 = ModelFileHash.Sha256Of(folder.Model),
            HiddenSize = hidden,
            Pooling = pooling,
        };
        spec.Validate();
        return spec;
    }
}
