using System.Runtime.ExceptionServices;
using MLNet.Rewards.Data;
using MLNet.Rewards.Storage;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// Turns preference pairs into a <see cref="PairwiseDataset"/>: every distinct text is embedded once (prompts repeat
/// across pairs), then each response's features are built with its prompt by <see cref="ResponseFeatures"/>. Prompts are
/// embedded only when the layout uses them. A conversation featurizer (<see cref="IConversationFeaturizerSpec"/>) is given
/// each response together with its prompt (<see cref="ConversationText"/>), and the prompt alone for the prompt vector.
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

    private bool UsesPrompt => Layout != FeatureLayout.Response;

    private bool Joint => Embedder.Spec is IConversationFeaturizerSpec;

    /// <summary>Featurizes <paramref name="pairs"/>, reporting (texts done, texts total) as it goes.</summary>
    public PairwiseDataset Featurize(IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var texts = new TextTable();
        var promptIds = new int[pairs.Count];
        var chosenIds = new int[pairs.Count];
        var rejectedIds = new int[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            promptIds[i] = AddPrompt(texts, pairs[i].Prompt);
            chosenIds[i] = texts.Add(ResponseText(pairs[i].Prompt, pairs[i].Chosen));
            rejectedIds[i] = texts.Add(ResponseText(pairs[i].Prompt, pairs[i].Rejected));
        }

        FloatMatrix embeddings;
        try
        {
            embeddings = EmbedDistinct(texts.Texts, progress, cancellationToken);
        }
        catch (DamagedVectorException e) when (e.Text is not null && e.RecordId is null)
        {
            var holder = pairs.FirstOrDefault(p => PromptText(p.Prompt) == e.Text || ResponseText(p.Prompt, p.Chosen) == e.Text || ResponseText(p.Prompt, p.Rejected) == e.Text);
            throw holder is null ? e : e.WithRecordId(holder.Id);
        }

        var chosen = new FloatMatrix(pairs.Count, Dimension);
        var rejected = new FloatMatrix(pairs.Count, Dimension);
        var groups = new ulong[pairs.Count];
        for (int i = 0; i < pairs.Count; i++)
        {
            var prompt = PromptRow(embeddings, promptIds[i]);
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
        var promptIds = prompts.Select(p => AddPrompt(texts, p)).ToArray();
        var responseIds = prompts.Select((p, i) => texts.Add(ResponseText(p, responses[i]))).ToArray();
        var embeddings = EmbedDistinct(texts.Texts, null, cancellationToken);
        var features = new FloatMatrix(prompts.Count, Dimension);
        for (int i = 0; i < prompts.Count; i++)
        {
            ResponseFeatures.Build(Layout, PromptRow(embeddings, promptIds[i]), embeddings.Row(responseIds[i]), features.Row(i));
        }

        return features;
    }

    /// <summary>The text embedded for <paramref name="response"/> to <paramref name="prompt"/>: the response, or both for a conversation featurizer.</summary>
    public string ResponseText(string prompt, string response) => Joint ? ConversationText.Of(prompt, response) : response;

    /// <summary>The text embedded for a prompt's own vector.</summary>
    public string PromptText(string prompt) => Joint ? ConversationText.PromptOnly(prompt) : prompt;

    private static ReadOnlySpan<float> PromptRow(FloatMatrix embeddings, int id) => id < 0 ? [] : embeddings.Row(id);

    private int AddPrompt(TextTable texts, string prompt) => UsesPrompt ? texts.Add(PromptText(prompt)) : -1;

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
