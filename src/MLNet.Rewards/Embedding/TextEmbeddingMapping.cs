using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Embedding;

/// <summary>Input row of the text-embedding mapping (fixed column names; see <see cref="TextEmbeddingTransformer"/>).</summary>
public sealed class TextEmbeddingInput : StateInput
{
    /// <summary>The text to embed.</summary>
    [ColumnName(InternalColumns.Text)]
    public string Text { get; set; } = string.Empty;
}

/// <summary>
/// Output row of the text-embedding mapping. <see cref="TextEmbeddingOutput"/> declares a variable-size vector; the
/// <see cref="KnownSizeEmbeddings"/> classes declare the size, which ML.NET transforms and trainers that need a
/// known-size vector (normalizers, its own trainers) require.
/// </summary>
public abstract class TextEmbeddingRow
{
    /// <summary>The embedding.</summary>
    public abstract float[] Embedding { get; set; }

    /// <summary>The text whose embedding <see cref="Embedding"/> holds: rows that repeat the previous text (a prompt with several responses) are not embedded again.</summary>
    [NoColumn]
    internal string? EmbeddedText { get; set; }

    /// <summary>The featurizer that produced <see cref="Embedding"/>.</summary>
    [NoColumn]
    internal TextEmbeddingState? EmbeddedBy { get; set; }
}

/// <summary>Output row with a variable-size embedding, for featurizer dimensions not in <see cref="KnownSizeEmbeddings"/>.</summary>
public sealed class TextEmbeddingOutput : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>The text-embedding computation that ML.NET runs, by contract name, in fitted and loaded models.</summary>
public static class TextEmbeddingMapping
{
    /// <summary>Contract name saved in model zips; a change of meaning gets a new name (v2), and v1 stays loadable.</summary>
    public const string ContractName = "MLNet.Rewards.TextEmbedding.v1";

    /// <summary>Embeds one row's text.</summary>
    public static void Map<TRow>(TextEmbeddingInput input, TRow output)
        where TRow : TextEmbeddingRow
    {
        var state = input.Decode(TextEmbeddingState.FromBytes);
        string text = input.Text ?? string.Empty;
        if (ReferenceEquals(output.EmbeddedBy, state) && string.Equals(output.EmbeddedText, text, StringComparison.Ordinal))
        {
            return;
        }

        if (output.Embedding.Length != state.Embedder.Dimension)
        {
            output.Embedding = new float[state.Embedder.Dimension];
        }

        state.Embed(text, output.Embedding);
        output.EmbeddedText = text;
        output.EmbeddedBy = state;
    }
}

/// <summary>The ML.NET custom mapping of <typeparamref name="TRow"/>, recreated by contract name when a zip is loaded.</summary>
public abstract class TextEmbeddingMappingFactory<TRow> : CustomMappingFactory<TextEmbeddingInput, TRow>
    where TRow : TextEmbeddingRow, new()
{
    /// <inheritdoc />
    public override Action<TextEmbeddingInput, TRow> GetMapping() => TextEmbeddingMapping.Map;
}

/// <summary>Lets ML.NET recreate the variable-size text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName)]
public sealed class TextEmbeddingMappingFactory : TextEmbeddingMappingFactory<TextEmbeddingOutput>
{
}

/// <summary>The decoded state of a text-embedding transformer: its featurizer.</summary>
internal sealed class TextEmbeddingState
{
    public const string ComponentName = "mlnet-text-embedding";

    private readonly RowEmbedder _rows;

    public TextEmbeddingState(ITextEmbedder embedder)
    {
        Embedder = embedder;
        _rows = new RowEmbedder(embedder);
    }

    public ITextEmbedder Embedder { get; }

    /// <summary>Embeds one text (see <see cref="RowEmbedder"/>).</summary>
    public void Embed(string text, float[] destination) => _rows.Embed(text, destination);

    public byte[] ToBytes()
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["featurizer"] = System.Text.Json.JsonSerializer.SerializeToNode<FeaturizerSpec>(Embedder.Spec, ModelArchive.JsonOptions),
        };
        return ModelArchive.ToBytes(ComponentName, body, []);
    }

    public static TextEmbeddingState FromBytes(byte[] bytes)
    {
        var contents = ModelArchive.FromBytes(bytes, "the text-embedding state inside the ML.NET model", ComponentName);
        var spec = contents.Get<FeaturizerSpec>("featurizer");
        return new TextEmbeddingState(spec.CreateEmbedder(FeaturizerContext.Default));
    }
}
