using System.Runtime.ExceptionServices;
using MLNet.Rewards.Data;
using MLNet.Rewards.Storage;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// Turns preference pairs into a <see cref="PairwiseDataset"/>: every distinct text is embedded once (prompts repeat
/// across pairs), then each response's features are built with its prompt by <see cref="ResponseFeatures"/>.
/// </summary>
public sealed class PairFeaturizer
{
    /// <summary>Texts embedded per call to the embedder (and per progress report).</summary>
    public const int ChunkSize = 256;

    /// <summary>Creates a featurizer over <paramref name="embedder"/>.</summary>
    public PairFeaturizer(ITextEmbedder embedder, FeatureLayout layout)
    {
        Embedder = embedder;
        Layout = layout;
    }

    /// <summary>The text embedder.</summary>
    public ITextEmbedder Embedder { get; }

    /// <summary>How response features are built.</summary>
    public FeatureLayout Layout { get; }

    /// <summary>Length of a response feature vector.</summary>
    public int Dimension => ResponseFeatures.Dimension(Layout, Embedder.Dimension);

    /// <summary>Featurizes <paramref name="pairs"/>, reporting (texts done, texts total) as it goes.</summary>
    public PairwiseDataset Featurize(IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var texts = new TextTable();
        var promptIds = new int[pairs.Count];
        var chosenIds = new int[pairs.Count];
        var rejectedIds = new int[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            promptIds[i] = texts.Add(pairs[i].Prompt);
            chosenIds[i] = texts.Add(pairs[i].Chosen);
            rejectedIds[i] = texts.Add(pairs[i].Rejected);
        }

        FloatMatrix embeddings;
        try
        {
            embeddings = EmbedDistinct(texts.Texts, progress, cancellationToken);
        }
        catch (DamagedVectorException e) when (e.Text is not null && e.RecordId is null)
        {
            var holder = pairs.FirstOrDefault(p => p.Prompt == e.Text || p.Chosen == e.Text || p.Rejected == e.Text);
            throw holder is null ? e : e.WithRecordId(holder.Id);
        }

        var chosen = new FloatMatrix(pairs.Count, Dimension);
        var rejected = new FloatMatrix(pairs.Count, Dimension);
        var groups = new ulong[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            var prompt = embeddings.Row(promptIds[i]);
            ResponseFeatures.Build(Layout, prompt, embeddings.Row(chosenIds[i]), chosen.Row(i));
            ResponseFeatures.Build(Layout, prompt, embeddings.Row(rejectedIds[i]), rejected.Row(i));
            groups[i] = StableHash.Of(pairs[i].Prompt);
        }

        return new PairwiseDataset(chosen, rejected, groups);
    }

    /// <summary>Features of (prompt, response) rows, for scoring.</summary>
    public FloatMatrix FeaturizeResponses(IReadOnlyList<string> prompts, IReadOnlyList<string> responses, CancellationToken cancellationToken = default)
    {
        if (prompts.Count != responses.Count)
        {
            throw new ArgumentException($"{prompts.Count} prompts but {responses.Count} responses");
        }

        var texts = new TextTable();
        var promptIds = prompts.Select(texts.Add).ToArray();
        var responseIds = responses.Select(texts.Add).ToArray();
        var embeddings = EmbedDistinct(texts.Texts, null, cancellationToken);
        var features = new FloatMatrix(prompts.Count, Dimension);
        for (int i = 0; i < prompts.Count; i++)
        {
            ResponseFeatures.Build(Layout, embeddings.Row(promptIds[i]), embeddings.Row(responseIds[i]), features.Row(i));
        }

        return features;
    }

    private FloatMatrix EmbedDistinct(List<string> texts, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var embeddings = new FloatMatrix(texts.Count, Embedder.Dimension);
        int chunks = (texts.Count + ChunkSize - 1) / ChunkSize;
        int done = 0;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Embedder is IParallelTextEmbedder ? 1 : -1 };
        try
        {
            Parallel.For(0, chunks, parallel, c =>
            {
                int start = c * ChunkSize;
                int count = Math.Min(ChunkSize, texts.Count - start);
                Embedder.Embed(texts.GetRange(start, count), embeddings.Data.AsSpan(start * Embedder.Dimension, count * Embedder.Dimension));
                progress?.Report((Interlocked.Add(ref done, count), texts.Count));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DamagedVectorException>().FirstOrDefault() is { } damaged)
        {
            // A damaged store vector is bad input, reported as itself rather than as one of the parallel loop's failures.
            ExceptionDispatchInfo.Throw(damaged);
        }

        return embeddings;
    }

    /// <summary>Assigns each distinct text an index.</summary>
    private sealed class TextTable
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public List<string> Texts { get; } = [];

        public int Add(string text)
        {
            if (!_index.TryGetValue(text, out int id))
            {
                id = Texts.Count;
                _index[text] = id;
                Texts.Add(text);
            }

            return id;
        }
    }
}

/// <summary>
/// Marks an embedder that spreads its own work over the cores (an ONNX session with intra-op threads), so callers should
/// not call it from several threads at once.
/// </summary>
public interface IParallelTextEmbedder : ITextEmbedder
{
}
