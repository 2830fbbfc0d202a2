namespace MLNet.Rewards.Featurization;

/// <summary>
/// Turns texts into fixed-size float vectors. Implemented by the model-free <see cref="HashingTextEmbedder"/> and by
/// the ONNX sentence encoder; every head, trainer and tool works with either.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Length of every vector this embedder produces.</summary>
    int Dimension { get; }

    /// <summary>
    /// The settings that recreate this embedder; saved in model zips so that a loaded model featurizes as the saved one did,
    /// and hashed (with the text) as the key of stored embeddings.
    /// </summary>
    FeaturizerSpec Spec { get; }

    /// <summary>
    /// Embeds <paramref name="texts"/> into <paramref name="destination"/>, row-major: row <c>i</c> (of length
    /// <see cref="Dimension"/>) is the vector of <c>texts[i]</c>.
    /// </summary>
    void Embed(IReadOnlyList<string> texts, Span<float> destination);
}

/// <summary>Convenience methods over <see cref="ITextEmbedder"/>.</summary>
public static class TextEmbedderExtensions
{
    /// <summary>Embeds one text.</summary>
    public static float[] Embed(this ITextEmbedder embedder, string text)
    {
        var vector = new float[embedder.Dimension];
        embedder.Embed([text], vector);
        return vector;
    }

    /// <summary>Embeds many texts into a new row-major matrix.</summary>
    public static FloatMatrix EmbedAll(this ITextEmbedder embedder, IReadOnlyList<string> texts)
    {
        var matrix = new FloatMatrix(texts.Count, embedder.Dimension);
        embedder.Embed(texts, matrix.Data);
        return matrix;
    }
}
