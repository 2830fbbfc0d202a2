using System.Text;
using System.Text.Json.Serialization;
using MLNet.Rewards.Storage;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// Settings of the <see cref="ConcatenatedTextEmbedder"/>: several featurizers whose vectors are laid side by side, in the
/// order of <see cref="Parts"/> (e.g. hashed n-grams followed by MiniLM sentence embeddings). Its dimension is the sum of
/// the parts' dimensions. Parts that need model files find them as they do alone: a <see cref="FeaturizerContext"/>
/// given when a model is loaded reaches every part.
/// </summary>
public sealed record ConcatenatedFeaturizerSpec : FeaturizerSpec, IEmbeddingIdentity
{
    /// <summary>The manifest's <c>kind</c> for this featurizer.</summary>
    public const string KindName = "concatenated";

    /// <summary>The featurizers, in column order: part <c>k</c> fills the columns after those of parts 0 to k-1.</summary>
    public required IReadOnlyList<FeaturizerSpec> Parts { get; init; }

    /// <inheritdoc />
    [JsonIgnore]
    public override int Dimension => Parts.Sum(p => p.Dimension);

    /// <summary>The parts' identities in order, so stored vectors of the whole differ whenever a part's would.</summary>
    [JsonIgnore]
    public string EmbeddingIdentity => $"{KindName}[{string.Join("|", Parts.Select(EmbeddingStore.IdentityOf))}]";

    /// <inheritdoc />
    public override ITextEmbedder CreateEmbedder(FeaturizerContext context)
    {
        Validate();
        var parts = new List<ITextEmbedder>(Parts.Count);
        try
        {
            foreach (var part in Parts)
            {
                parts.Add(part.CreateEmbedder(context));
            }

            return new ConcatenatedTextEmbedder(parts);
        }
        catch
        {
            foreach (var created in parts)
            {
                (created as IDisposable)?.Dispose();
            }

            throw;
        }
    }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        if (Parts is not { Count: >= 1 })
        {
            throw new InvalidOptionException(nameof(Parts), Parts?.Count, "must hold at least one featurizer");
        }

        OptionValidation.Require(Parts.All(p => p is not null), nameof(Parts), Parts.Count, "must not hold null");
        OptionValidation.Require(!Parts.Any(p => p is IConversationFeaturizerSpec), nameof(Parts), string.Join(", ", Parts.Select(p => p.GetType().Name)),
            "must not hold a conversation featurizer (it embeds prompt and response together, the other parts each text alone)");
    }

    /// <inheritdoc />
    public bool Equals(ConcatenatedFeaturizerSpec? other) => other is not null && Parts.SequenceEqual(other.Parts);

    /// <inheritdoc />
    public override int GetHashCode() => Parts.Aggregate(17, HashCode.Combine);

    /// <summary>Prints the parts (a record prints a list as its type name otherwise).</summary>
    protected override bool PrintMembers(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Parts = [").AppendJoin(", ", Parts).Append(']');
        return true;
    }
}

/// <summary>
/// Several embedders side by side: the vector of a text is part 0's vector, then part 1's, and so on, each in its own
/// column range. Parts that spread their own work over the cores (<see cref="IParallelTextEmbedder"/>, e.g. the ONNX
/// encoder) are called one at a time with the whole batch; the others are called on slices of it in parallel. Disposing
/// it disposes the parts that are disposable.
/// </summary>
public sealed class ConcatenatedTextEmbedder : IParallelTextEmbedder, IDisposable
{
    /// <summary>Texts per parallel slice of the parts that do not parallelise themselves.</summary>
    private const int SliceSize = 64;

    private readonly ITextEmbedder[] _parts;
    private readonly int[] _offsets;

    /// <summary>Lays the vectors of <paramref name="parts"/> side by side, in order; takes ownership of the disposable parts.</summary>
    public ConcatenatedTextEmbedder(IReadOnlyList<ITextEmbedder> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = [.. parts];
        Spec = new ConcatenatedFeaturizerSpec { Parts = [.. _parts.Select(p => p.Spec)] };
        ((ConcatenatedFeaturizerSpec)Spec).Validate();
        _offsets = new int[_parts.Length];
        int offset = 0;
        for (int k = 0; k < _parts.Length; k++)
        {
            _offsets[k] = offset;
            offset += _parts[k].Dimension;
        }

        Dimension = offset;
    }

    /// <summary>The parts, in column order.</summary>
    public IReadOnlyList<ITextEmbedder> Parts => _parts;

    /// <inheritdoc />
    public int Dimension { get; }

    /// <inheritdoc />
    public FeaturizerSpec Spec { get; }

    /// <summary>The first column of part <paramref name="index"/> in the concatenated vector.</summary>
    public int ColumnOffset(int index) => _offsets[index];

    /// <inheritdoc />
    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int dim = Dimension;
        if (destination.Length < texts.Count * dim)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {texts.Count} texts x {dim} need {texts.Count * dim}", nameof(destination));
        }

        for (int k = 0; k < _parts.Length; k++)
        {
            var part = _parts[k];
            int partDim = part.Dimension;
            var vectors = new float[texts.Count * partDim];
            if (part is IParallelTextEmbedder || texts.Count <= SliceSize)
            {
                part.Embed(texts, vectors);
            }
            else
            {
                var list = texts as List<string> ?? [.. texts];
                int slices = (list.Count + SliceSize - 1) / SliceSize;
                Parallel.For(0, slices, s =>
                {
                    int start = s * SliceSize;
                    int count = Math.Min(SliceSize, list.Count - start);
                    part.Embed(list.GetRange(start, count), vectors.AsSpan(start * partDim, count * partDim));
                });
            }

            for (int i = 0; i < texts.Count; i++)
            {
                vectors.AsSpan(i * partDim, partDim).CopyTo(destination.Slice((i * dim) + _offsets[k], partDim));
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var part in _parts)
        {
            (part as IDisposable)?.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"concatenated({string.Join(" + ", _parts.Select(p => p.ToString()))}, {Dimension} dims)";
}
