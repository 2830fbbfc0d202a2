using System.Diagnostics;
using MLNet.Rewards.Featurization;

namespace MLNet.Rewards.Storage;

/// <summary>Progress of embedding through a store.</summary>
/// <param name="Done">Distinct texts handled so far (read from the store or computed).</param>
/// <param name="Total">Distinct texts in the run.</param>
/// <param name="AlreadyStored">Distinct texts found in the store when the run started.</param>
/// <param name="Computed">Texts computed and stored so far in this run.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record EmbeddingProgress(int Done, int Total, int AlreadyStored, int Computed, TimeSpan Elapsed)
{
    /// <summary>Texts computed per second in this run.</summary>
    public double ComputedPerSecond => Computed / Math.Max(1e-9, Elapsed.TotalSeconds);
}

/// <summary>
/// An <see cref="ITextEmbedder"/> that reads vectors from an <see cref="EmbeddingStore"/> and computes (with the inner
/// embedder) and stores only the ones missing, in committed chunks. Every consumer of an embedder (pair featurizer,
/// trainer, command-line tool) gets reuse across runs by wrapping its embedder in one. Its <see cref="Spec"/> is the
/// inner embedder's, so models trained through it record the real featurizer.
/// </summary>
public sealed class CachedTextEmbedder : IParallelTextEmbedder
{
    private long _hits;
    private long _computed;

    /// <summary>Wraps <paramref name="inner"/> with <paramref name="store"/>; the caller keeps ownership of both.</summary>
    public CachedTextEmbedder(ITextEmbedder inner, EmbeddingStore store)
    {
        Inner = inner;
        Store = store;
        Identity = EmbeddingStore.IdentityOf(inner.Spec);
    }

    /// <summary>The embedder that computes missing vectors.</summary>
    public ITextEmbedder Inner { get; }

    /// <summary>The store.</summary>
    public EmbeddingStore Store { get; }

    /// <summary>What keys this embedder's vectors in the store.</summary>
    public string Identity { get; }

    /// <inheritdoc />
    public int Dimension => Inner.Dimension;

    /// <inheritdoc />
    public FeaturizerSpec Spec => Inner.Spec;

    /// <summary>Vectors read from the store so far.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Vectors computed and stored so far.</summary>
    public long Computed => Interlocked.Read(ref _computed);

    /// <summary>Reports progress of <see cref="EnsureStored"/> and of <see cref="Embed"/> calls that compute vectors.</summary>
    public IProgress<EmbeddingProgress>? Progress { get; set; }

    /// <inheritdoc />
    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        int dim = Dimension;
        if (destination.Length < texts.Count * dim)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {texts.Count} texts x {dim} need {texts.Count * dim}", nameof(destination));
        }

        var keys = texts.Select(t => EmbeddingStore.KeyOf(Identity, t)).ToList();
        bool[] found;
        try
        {
            found = Store.TryGetMany(keys, dim, destination);
        }
        catch (DamagedVectorException e) when (e.Index >= 0 && e.Index < texts.Count && e.Text is null)
        {
            throw e.WithText(texts[e.Index]);
        }

        Interlocked.Add(ref _hits, found.Count(f => f));
        var missing = Enumerable.Range(0, texts.Count).Where(i => !found[i]).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        // Compute each distinct missing text once, then copy its vector to every row that has it.
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        var distinct = missing.Where(i => first.TryAdd(texts[i], i)).ToList();
        var computed = new float[distinct.Count * dim];
        ComputeAndStore([.. distinct.Select(i => texts[i])], [.. distinct.Select(i => keys[i])], computed, texts.Count - missing.Count, CancellationToken.None);
        for (int d = 0; d < distinct.Count; d++)
        {
            computed.AsSpan(d * dim, dim).CopyTo(destination.Slice(distinct[d] * dim, dim));
        }

        foreach (int i in missing)
        {
            int source = first[texts[i]];
            if (source != i)
            {
                destination.Slice(source * dim, dim).CopyTo(destination.Slice(i * dim, dim));
            }
        }
    }

    /// <summary>
    /// Makes sure every distinct text of <paramref name="texts"/> is in the store, computing only the missing ones
    /// (in committed chunks: cancelling or killing the run keeps what was done). Returns the final progress.
    /// </summary>
    public EmbeddingProgress EnsureStored(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var distinct = texts.Distinct(StringComparer.Ordinal).ToList();
        var keys = distinct.Select(t => EmbeddingStore.KeyOf(Identity, t)).ToList();
        var stored = Store.ContainsMany(keys);
        var missing = Enumerable.Range(0, distinct.Count).Where(i => !stored[i]).ToList();
        return ComputeAndStore([.. missing.Select(i => distinct[i])], [.. missing.Select(i => keys[i])], null, distinct.Count - missing.Count, cancellationToken);
    }

    /// <summary>Computes vectors in chunks (longest texts first, so encoder batches pad little), committing each chunk.</summary>
    private EmbeddingProgress ComputeAndStore(string[] texts, byte[][] keys, float[]? output, int alreadyStored, CancellationToken cancellationToken)
    {
        int dim = Dimension;
        int chunk = Store.Options.CommitChunk;
        var order = Enumerable.Range(0, texts.Length).OrderByDescending(i => texts[i].Length).ThenBy(i => i).ToArray();
        var buffer = new float[Math.Min(chunk, Math.Max(1, texts.Length)) * dim];
        var clock = Stopwatch.StartNew();
        int total = alreadyStored + texts.Length;
        var progress = new EmbeddingProgress(alreadyStored, total, alreadyStored, 0, TimeSpan.Zero);
        Progress?.Report(progress);
        for (int start = 0; start < order.Length; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = order[start..Math.Min(order.Length, start + chunk)];
            var vectors = buffer.AsSpan(0, rows.Length * dim);
            Inner.Embed([.. rows.Select(i => texts[i])], vectors);
            for (int r = 0; r < rows.Length; r++)
            {
                if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(vectors.Slice(r * dim, dim)))
                {
                    throw new InvalidDataException($"{Inner} returned NaN or infinite values for the text \"{texts[rows[r]]}\"; nothing was stored for it");
                }
            }

            Store.RoundToStoredPrecision(vectors);
            Store.PutMany([.. rows.Select(i => keys[i])], dim, vectors);
            Interlocked.Add(ref _computed, rows.Length);
            if (output is not null)
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    vectors.Slice(r * dim, dim).CopyTo(output.AsSpan(rows[r] * dim, dim));
                }
            }

            int computed = start + rows.Length;
            progress = new EmbeddingProgress(alreadyStored + computed, total, alreadyStored, computed, clock.Elapsed);
            Progress?.Report(progress);
        }

        return progress;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Inner} via store {Path.GetFileName(Store.Path)}";
}
