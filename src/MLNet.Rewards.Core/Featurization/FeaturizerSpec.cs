using System.Text.Json.Serialization;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// The serialisable description of a featurizer: enough to build the same <see cref="ITextEmbedder"/> again.
/// Stored in every model zip's manifest under <c>featurizer</c>, with <c>kind</c> naming the implementation.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(HashingFeaturizerSpec), HashingFeaturizerSpec.KindName)]
[JsonDerivedType(typeof(OnnxSentenceFeaturizerSpec), OnnxSentenceFeaturizerSpec.KindName)]
[JsonDerivedType(typeof(ChatHiddenStateFeaturizerSpec), ChatHiddenStateFeaturizerSpec.KindName)]
[JsonDerivedType(typeof(ConcatenatedFeaturizerSpec), ConcatenatedFeaturizerSpec.KindName)]
public abstract record FeaturizerSpec
{
    /// <summary>Output dimension of the featurizer this spec builds.</summary>
    [JsonIgnore]
    public abstract int Dimension { get; }

    /// <summary>Builds the featurizer. <paramref name="context"/> says where to find model files, for featurizers that need them.</summary>
    public abstract ITextEmbedder CreateEmbedder(FeaturizerContext context);
}

/// <summary>Where featurizers that need model files (the ONNX encoder) look for them when a model is loaded.</summary>
public sealed record FeaturizerContext
{
    /// <summary>The default context: model folders are looked up where their spec says.</summary>
    public static FeaturizerContext Default { get; } = new();

    /// <summary>
    /// An explicit model folder that overrides the one recorded in the spec, or null. A concatenated featurizer passes it to
    /// each of its parts that needs model files.
    /// </summary>
    public string? ModelDirectory { get; init; }

    /// <summary>Where ONNX featurizers run, overriding their spec (null: as the spec says, CPU by default).</summary>
    public Onnx.OnnxExecutionProvider? ExecutionProvider { get; init; }
}
