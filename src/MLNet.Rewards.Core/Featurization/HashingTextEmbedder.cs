using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using MLNet.Rewards.Data;

namespace MLNet.Rewards.Featurization;

/// <summary>Settings of the <see cref="HashingTextEmbedder"/>: a model-free featurizer of hashed word and character n-grams.</summary>
public sealed record HashingFeaturizerSpec : FeaturizerSpec
{
    /// <summary>The manifest's <c>kind</c> for this featurizer.</summary>
    public const string KindName = "hashing";

    /// <summary>Number of hash buckets: the vector length.</summary>
    public int Buckets { get; init; } = 1024;

    /// <summary>Longest word n-gram (1 = unigrams only).</summary>
    public int MaxWordNgram { get; init; } = 2;

    /// <summary>Shortest character n-gram; 0 disables character n-grams.</summary>
    public int MinCharNgram { get; init; } = 3;

    /// <summary>Longest character n-gram.</summary>
    public int MaxCharNgram { get; init; } = 5;

    /// <summary>Seed of the hash functions.</summary>
    public int Seed { get; init; }

    /// <inheritdoc />
    public override int Dimension => Buckets;

    /// <inheritdoc />
    public override ITextEmbedder CreateEmbedder(FeaturizerContext context) => new HashingTextEmbedder(this);

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(Buckets >= 2, nameof(Buckets), Buckets, "must be at least 2");
        OptionValidation.Require(MaxWordNgram >= 1, nameof(MaxWordNgram), MaxWordNgram, "must be at least 1");
        OptionValidation.Require(MinCharNgram == 0 || (MinCharNgram > 0 && MaxCharNgram >= MinCharNgram), nameof(MinCharNgram), MinCharNgram, $"must be 0 (no character n-grams) or between 1 and MaxCharNgram ({MaxCharNgram})");
    }
}

/// <summary>
/// Hashed word and character n-grams: every n-gram is hashed to a bucket and a sign (signed feature hashing, so that
/// collisions cancel in expectation), weighted by sublinear term frequency 1 + ln(tf), and the vector is L2-normalised.
/// Words are lower-cased runs of letters and digits; character n-grams are taken inside words padded with spaces.
/// Needs no model and is deterministic across machines.
/// </summary>
public sealed class HashingTextEmbedder : ITextEmbedder
{
    private readonly HashingFeaturizerSpec _spec;

    /// <summary>Creates the featurizer from its settings.</summary>
    public HashingTextEmbedder(HashingFeaturizerSpec spec)
    {
        spec.Validate();
        _spec = spec;
    }

    /// <inheritdoc />
    public int Dimension => _spec.Buckets;

    /// <inheritdoc />
    public FeaturizerSpec Spec => _spec;

    /// <inheritdoc />
    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        int dim = Dimension;
        if (destination.Length < texts.Count * dim)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {texts.Count} texts x {dim} need {texts.Count * dim}", nameof(destination));
        }

        for (int i = 0; i < texts.Count; i++)
        {
            EmbedOne(texts[i], destination.Slice(i * dim, dim));
        }
    }

    private void EmbedOne(string text, Span<float> vector)
    {
        vector.Clear();
        var counts = new Dictionary<ulong, int>();
        string[] words = [.. Tokenize(text)];
        for (int n = 1; n <= _spec.MaxWordNgram; n++)
        {
            for (int start = 0; start + n <= words.Length; start++)
            {
                ulong hash = StableHash.Of(string.Join(' ', words, start, n), _spec.Seed + n);
                counts[hash] = counts.GetValueOrDefault(hash) + 1;
            }
        }

        if (_spec.MinCharNgram > 0)
        {
            var padded = new StringBuilder();
            foreach (string word in words)
            {
                padded.Clear().Append(' ').Append(word).Append(' ');
                string w = padded.ToString();
                for (int n = _spec.MinCharNgram; n <= _spec.MaxCharNgram; n++)
                {
                    for (int start = 0; start + n <= w.Length; start++)
                    {
                        ulong hash = StableHash.Of(w.AsSpan(start, n), _spec.Seed + 1000 + n);
                        counts[hash] = counts.GetValueOrDefault(hash) + 1;
                    }
                }
            }
        }

        foreach (var (hash, count) in counts)
        {
            int bucket = (int)(hash % (ulong)vector.Length);
            float sign = (hash >> 63) == 0 ? 1f : -1f;
            vector[bucket] += sign * (1f + MathF.Log(count));
        }

        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>Lower-cased runs of letters and digits.</summary>
    internal static List<string> Tokenize(string text)
    {
        var words = new List<string>();
        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length));
        try
        {
            int length = 0;
            foreach (char c in text)
            {
                if (char.IsLetterOrDigit(c))
                {
                    buffer[length++] = char.ToLowerInvariant(c);
                }
                else if (length > 0)
                {
                    words.Add(new string(buffer, 0, length));
                    length = 0;
                }
            }

            if (length > 0)
            {
                words.Add(new string(buffer, 0, length));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        return words;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"hashing(buckets={_spec.Buckets}, words<={_spec.MaxWordNgram}, chars={_spec.MinCharNgram}-{_spec.MaxCharNgram})");
}
