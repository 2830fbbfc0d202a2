using System.Numerics.Tensors;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Picks the next token from a row of scores (logits or guided log-probabilities): greedy, or sampled with temperature,
/// top-k and top-p (nucleus) filtering. Reuses its buffers; one sampler per thread.
/// </summary>
internal sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private int[] _order = [];
    private float[] _keys = [];

    /// <summary>Creates a sampler with checked <paramref name="options"/>.</summary>
    public TokenSampler(SamplingOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>The chosen token id; <paramref name="random"/> is used only when sampling.</summary>
    public int Pick(ReadOnlySpan<float> scores, SeededRandom random)
    {
        if (_options.Temperature == 0f)
        {
            return TensorPrimitives.IndexOfMax(scores);
        }

        int count = Candidates(scores);
        var keys = _keys.AsSpan(0, count);

        // Softmax over the candidates (sorted by score, descending) at the given temperature.
        float max = keys[0];
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            float p = MathF.Exp((keys[i] - max) / _options.Temperature);
            keys[i] = p;
            total += p;
        }

        if (_options.TopP < 1f)
        {
            double cumulative = 0;
            for (int i = 0; i < count; i++)
            {
                cumulative += keys[i];
                if (cumulative >= _options.TopP * total)
                {
                    count = i + 1;
                    total = cumulative;
                    break;
                }
            }
        }

        double u = random.NextDouble() * total;
        double running = 0;
        for (int i = 0; i < count; i++)
        {
            running += keys[i];
            if (u < running)
            {
                return _order[i];
            }
        }

        return _order[count - 1];
    }

    /// <summary>Fills the first n entries of _order/_keys with the candidate tokens and scores, best first; returns n.</summary>
    private int Candidates(ReadOnlySpan<float> scores)
    {
        int n = _options.TopK > 0 ? Math.Min(_options.TopK, scores.Length) : scores.Length;
        if (_order.Length < scores.Length)
        {
            _order = new int[scores.Length];
            _keys = new float[scores.Length];
        }

        if (n < scores.Length)
        {
            TopIndices(scores, n, _order, _keys);
            return n;
        }

        for (int i = 0; i < scores.Length; i++)
        {
            _order[i] = i;
            _keys[i] = -scores[i];
        }

        // Sort ascending by -score, i.e. descending by score (the same input always gives the same order).
        Array.Sort(_keys, _order, 0, scores.Length);
        TensorPrimitives.Negate(_keys.AsSpan(0, scores.Length), _keys);
        return scores.Length;
    }

    /// <summary>The <paramref name="k"/> highest scores and their ids, best first (ties: lower id first).</summary>
    internal static void TopIndices(ReadOnlySpan<float> scores, int k, Span<int> ids, Span<float> values)
    {
        // Insertion into a sorted prefix: O(V + k·inserts); for k ≪ V almost every score fails the first comparison.
        int filled = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (filled == k && !(s > values[k - 1]))
            {
                continue;
            }

            int at = filled < k ? filled++ : k - 1;
            while (at > 0 && s > values[at - 1])
            {
                values[at] = values[at - 1];
                ids[at] = ids[at - 1];
                at--;
            }

            values[at] = s;
            ids[at] = i;
        }
    }
}
