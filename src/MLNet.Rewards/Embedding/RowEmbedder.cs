using MLNet.Rewards.Featurization;

namespace MLNet.Rewards.Embedding;

/// <summary>
/// Embeds one row's text at a time for ML.NET mappings, which may run on several cursors at once: embedders that
/// parallelise internally (ONNX sessions, <see cref="IParallelTextEmbedder"/>) are called one thread at a time.
/// </summary>
internal sealed class RowEmbedder
{
    private readonly Lock _serial = new();
    private readonly ITextEmbedder _embedder;

    public RowEmbedder(ITextEmbedder embedder)
    {
        _embedder = embedder;
    }

    public void Embed(string text, Span<float> destination)
    {
        if (_embedder is IParallelTextEmbedder)
        {
            lock (_serial)
            {
                _embedder.Embed([text], destination);
            }
        }
        else
        {
            _embedder.Embed([text], destination);
        }
    }
}
