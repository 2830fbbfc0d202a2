using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// Featurized (prompt, response) rows for a multi-objective model: the response features the objective heads read, the
/// prompt embeddings the gate reads, and the response texts the measured objectives read. Computed once, scored by any
/// model over the same featurizer.
/// </summary>
public sealed class ResponseBatch
{
    private ResponseBatch(FloatMatrix features, FloatMatrix prompts, IReadOnlyList<string> responses)
    {
        Features = features;
        Prompts = prompts;
        Responses = responses;
    }

    /// <summary>Response features (rows x feature dimension).</summary>
    public FloatMatrix Features { get; }

    /// <summary>Prompt embeddings (rows x embedding dimension).</summary>
    public FloatMatrix Prompts { get; }

    /// <summary>The response texts.</summary>
    public IReadOnlyList<string> Responses { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Responses.Count;

    /// <summary>Featurizes (prompt, response) rows.</summary>
    public static ResponseBatch Create(PairFeaturizer featurizer, IReadOnlyList<string> prompts, IReadOnlyList<string> responses, CancellationToken cancellationToken = default)
    {
        var features = featurizer.FeaturizeResponses(prompts, responses, cancellationToken);
        var distinct = prompts.Distinct(StringComparer.Ordinal).ToList();
        var embedded = featurizer.Embedder.EmbedAll(distinct);
        var index = distinct.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => x.i, StringComparer.Ordinal);
        var promptMatrix = new FloatMatrix(prompts.Count, featurizer.Embedder.Dimension);
        for (int i = 0; i < prompts.Count; i++)
        {
            embedded.Row(index[prompts[i]]).CopyTo(promptMatrix.Row(i));
        }

        return new ResponseBatch(features, promptMatrix, [.. responses]);
    }

    /// <summary>
    /// Rows from embeddings computed elsewhere (the prompt and the response of each row, by <paramref name="featurizer"/>'s
    /// embedder): the features are built as <see cref="Create"/> builds them, so the rows score identically.
    /// </summary>
    public static ResponseBatch FromEmbeddings(PairFeaturizer featurizer, FloatMatrix promptEmbeddings, FloatMatrix responseEmbeddings, IReadOnlyList<string> responses)
    {
        int dimension = featurizer.Embedder.Dimension;
        if (promptEmbeddings.Columns != dimension || responseEmbeddings.Columns != dimension || promptEmbeddings.Rows != responses.Count || responseEmbeddings.Rows != responses.Count)
        {
            throw new ArgumentException($"{responses.Count} responses need {responses.Count} x {dimension} prompt and response embeddings; got {promptEmbeddings.Rows} x {promptEmbeddings.Columns} and {responseEmbeddings.Rows} x {responseEmbeddings.Columns}");
        }

        var features = new FloatMatrix(responses.Count, featurizer.Dimension);
        for (int i = 0; i < responses.Count; i++)
        {
            ResponseFeatures.Build(featurizer.Layout, promptEmbeddings.Row(i), responseEmbeddings.Row(i), features.Row(i));
        }

        return new ResponseBatch(features, promptEmbeddings, [.. responses]);
    }

    /// <summary>Featurizes the responses of preference pairs: rows 0..n−1 are the chosen responses, rows n..2n−1 the rejected ones.</summary>
    public static ResponseBatch FromPairs(PairFeaturizer featurizer, IReadOnlyList<PreferencePair> pairs, CancellationToken cancellationToken = default)
        => Create(featurizer, [.. pairs.Select(p => p.Prompt), .. pairs.Select(p => p.Prompt)], [.. pairs.Select(p => p.Chosen), .. pairs.Select(p => p.Rejected)], cancellationToken);

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public ResponseBatch Rows(IReadOnlyList<int> indices)
    {
        var features = new FloatMatrix(indices.Count, Features.Columns);
        var prompts = new FloatMatrix(indices.Count, Prompts.Columns);
        for (int i = 0; i < indices.Count; i++)
        {
            Features.Row(indices[i]).CopyTo(features.Row(i));
            Prompts.Row(indices[i]).CopyTo(prompts.Row(i));
        }

        return new ResponseBatch(features, prompts, [.. indices.Select(i => Responses[i])]);
    }
}
