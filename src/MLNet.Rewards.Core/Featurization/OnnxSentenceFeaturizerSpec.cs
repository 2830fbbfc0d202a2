using MLNet.Rewards.Tokenization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Featurization;

/// <summary>How token vectors are pooled into one sentence vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SentencePooling>))]
public enum SentencePooling
{
    /// <summary>Mean over the tokens of the attention mask (sentence-transformers' default).</summary>
    Mean,

    /// <summary>The vector of the first ([CLS]) token.</summary>
    Cls,

    /// <summary>Element-wise maximum over the tokens of the attention mask.</summary>
    Max,
}

/// <summary>
/// Settings of the <see cref="OnnxSentenceEmbedder"/>: a sentence-transformers encoder exported to ONNX (e.g.
/// all-MiniLM-L6-v2) in a model folder with its WordPiece vocabulary. The SHA-256 of the ONNX file is the model's
/// identity: a saved reward model refuses to load over a different file, and stored embeddings are keyed by it.
/// Build one from a folder with <see cref="FromModelDirectory"/>.
/// </summary>
public sealed record OnnxSentenceFeaturizerSpec : FeaturizerSpec, IEmbeddingIdentity
{
    /// <summary>The manifest's <c>kind</c> for this featurizer.</summary>
    public const string KindName = "onnx-sentence";

    /// <summary>The model folder (vocab.txt, tokenizer_config.json, the ONNX file, ...).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>The ONNX file inside <see cref="ModelDirectory"/>, e.g. model.onnx or model-int8.onnx.</summary>
    public string ModelFile { get; init; } = "model.onnx";

    /// <summary>Lower-case hex SHA-256 of the ONNX file.</summary>
    public required string ModelSha256 { get; init; }

    /// <summary>Length of the encoder's token vectors, and so of the sentence vector.</summary>
    public required int EmbeddingDimension { get; init; }

    /// <summary>How token vectors are pooled.</summary>
    public SentencePooling Pooling { get; init; } = SentencePooling.Mean;

    /// <summary>L2-normalise the sentence vector.</summary>
    public bool Normalize { get; init; } = true;

    /// <summary>Most tokens per text, including [CLS] and [SEP]; longer texts are truncated.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>Texts per encoder run (batches are sorted by length and padded to their longest text).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>ONNX Runtime intra-op threads (0 = one per core).</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Where ONNX Runtime runs the encoder (CPU by default; CUDA needs the Microsoft.ML.OnnxRuntime.Gpu package, see
    /// <see cref="Onnx.OnnxExecutionProvider.Cuda"/>). A property of the machine, not of the model: not saved in model zips.
    /// </summary>
    [JsonIgnore]
    public Onnx.OnnxExecutionProvider ExecutionProvider { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override int Dimension => EmbeddingDimension;

    /// <summary>What determines the vectors (model file hash, pooling, normalisation, max length), not how fast they are made.</summary>
    [JsonIgnore]
    public string EmbeddingIdentity => $"{KindName};sha256={ModelSha256};pooling={Pooling};normalize={Normalize};maxLength={MaxLength}";

    /// <summary>Path of the ONNX file.</summary>
    [JsonIgnore]
    public string ModelPath => Path.Combine(ModelDirectory, ModelFile);

    /// <inheritdoc />
    public override ITextEmbedder CreateEmbedder(FeaturizerContext context)
    {
        var spec = context.ModelDirectory is { } directory ? this with { ModelDirectory = directory } : this;
        spec = context.ExecutionProvider is { } provider ? spec with { ExecutionProvider = provider } : spec;
        ModelFileHash.Require(spec.ModelPath, ModelSha256, "encoder");
        return new OnnxSentenceEmbedder(spec);
    }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(!string.IsNullOrWhiteSpace(ModelDirectory), nameof(ModelDirectory), ModelDirectory, "must name the model folder");
        OptionValidation.Require(!string.IsNullOrWhiteSpace(ModelFile), nameof(ModelFile), ModelFile, "must name the ONNX file");
        OptionValidation.Require(EmbeddingDimension >= 1, nameof(EmbeddingDimension), EmbeddingDimension, "must be positive");
        OptionValidation.Require(MaxLength >= 3, nameof(MaxLength), MaxLength, "must be at least 3 tokens ([CLS], one token, [SEP])");
        OptionValidation.Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be at least 1");
        OptionValidation.Require(Threads >= 0, nameof(Threads), Threads, "must be 0 (all cores) or a positive thread count");
        OptionValidation.Require(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "must be Mean, Cls or Max");
    }

    /// <summary>
    /// The spec of a sentence-transformers model folder: pooling and dimension from pooling_config.json (or
    /// 1_Pooling/config.json), normalisation from modules.json (a Normalize module), max length from
    /// sentence_bert_config.json, and the SHA-256 of <paramref name="modelFile"/>.
    /// </summary>
    public static OnnxSentenceFeaturizerSpec FromModelDirectory(string modelDirectory, string modelFile = "model.onnx")
    {
        if (!Directory.Exists(modelDirectory))
        {
            throw new DirectoryNotFoundException($"model folder not found: {modelDirectory}");
        }

        string path = Path.Combine(modelDirectory, modelFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {path}", path);
        }

        using var pooling = ModelConfigFile.Read(modelDirectory, "pooling_config.json") ?? ModelConfigFile.Read(modelDirectory, Path.Combine("1_Pooling", "config.json"))
            ?? throw new FileNotFoundException($"{modelDirectory} has no pooling_config.json (or 1_Pooling/config.json) saying how token vectors are pooled");
        var root = pooling.RootElement;
        bool Flag(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var mode = Flag("pooling_mode_cls_token") ? SentencePooling.Cls : Flag("pooling_mode_max_tokens") ? SentencePooling.Max : SentencePooling.Mean;
        int dimension = root.TryGetProperty("word_embedding_dimension", out var d) ? d.GetInt32()
            : throw new InvalidDataException($"{modelDirectory}: pooling config has no word_embedding_dimension");

        using var modules = ModelConfigFile.Read(modelDirectory, "modules.json");
        bool normalize = modules is not null && modules.RootElement.ValueKind == JsonValueKind.Array && modules.RootElement.EnumerateArray()
            .Any(m => m.TryGetProperty("type", out var t) && t.GetString()?.EndsWith(".Normalize", StringComparison.Ordinal) == true);

        using var sentenceBert = ModelConfigFile.Read(modelDirectory, "sentence_bert_config.json");
        int maxLength = sentenceBert is not null && sentenceBert.RootElement.TryGetProperty("max_seq_length", out var m) ? m.GetInt32() : 512;

        var spec = new OnnxSentenceFeaturizerSpec
        {
            ModelDirectory = modelDirectory,
            ModelFile = modelFile,
            ModelSha256 = Sha256Of(path),
            EmbeddingDimension = dimension,
            Pooling = mode,
            Normalize = normalize,
            MaxLength = maxLength,
        };
        spec.Validate();
        return spec;
    }

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256Of(string path) => ModelFileHash.Sha256Of(path);
}

/// <summary>
/// A featurizer spec that says exactly which settings determine its vectors, for keying stored embeddings. Specs without
/// it are keyed by their whole JSON form.
/// </summary>
public interface IEmbeddingIdentity
{
    /// <summary>A string that differs whenever the vectors would differ.</summary>
    string EmbeddingIdentity { get; }
}
