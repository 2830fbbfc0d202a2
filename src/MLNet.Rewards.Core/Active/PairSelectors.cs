namespace MLNet.Rewards.Active;

/// <summary>
/// Thompson sampling over the ensemble seen as a posterior (SEA, Liu et al., arXiv 2411.01493): draw a member and take its
/// best candidate; draw a member again and take its best candidate other than the first.
/// </summary>
public sealed class ThompsonPairSelector : IPairSelector
{
    /// <inheritdoc />
    public string Name => "thompson";

    /// <inheritdoc />
    public CandidatePair Select(FloatMatrix memberScores, SeededRandom random)
    {
        PairSelection.Check(memberScores);
        int first = PairSelection.ArgMax(memberScores.Row(random.Next(memberScores.Rows)), exclude: -1);
        int second = PairSelection.ArgMax(memberScores.Row(random.Next(memberScores.Rows)), exclude: first);
        return new CandidatePair(first, second);
    }
}

/// <summary>
/// Thompson sampling for the first candidate (a drawn member's best), paired with the other candidate whose reward the
/// members disagree on most (highest variance across members).
/// </summary>
public sealed class ThompsonMaxVariancePairSelector : IPairSelector
{
    /// <inheritdoc />
    public string Name => "thompson-maxvar";

    /// <inheritdoc />
    public CandidatePair Select(FloatMatrix memberScores, SeededRandom random)
    {
        PairSelection.Check(memberScores);
        int first = PairSelection.ArgMax(memberScores.Row(random.Next(memberScores.Rows)), exclude: -1);
        int second = -1;
        double best = double.NegativeInfinity;
        for (int j = 0; j < memberScores.Columns; j++)
        {
            double variance = PairSelection.Variance(memberScores, j, -1);
            if (j != first && variance > best)
            {
                best = variance;
                second = j;
            }
        }

        return new CandidatePair(first, second);
    }
}

/// <summary>
/// Uncertainty sampling: the pair whose preference the members disagree on most, i.e. the highest variance across members
/// of the reward difference r_i − r_j (ties go to the lowest indices; the generator is not used).
/// </summary>
public sealed class UncertaintyPairSelector : IPairSelector
{
    /// <inheritdoc />
    public string Name => "uncertainty";

    /// <inheritdoc />
    public CandidatePair Select(FloatMatrix memberScores, SeededRandom random)
    {
        PairSelection.Check(memberScores);
        var pair = new CandidatePair(0, 1);
        double best = double.NegativeInfinity;
        for (int i = 0; i < memberScores.Columns; i++)
        {
            for (int j = i + 1; j < memberScores.Columns; j++)
            {
                double variance = PairSelection.Variance(memberScores, i, j);
                if (variance > best)
                {
                    best = variance;
                    pair = new CandidatePair(i, j);
                }
            }
        }

        return pair;
    }
}

/// <summary>Two distinct candidates drawn uniformly: the passive baseline.</summary>
public sealed class RandomPairSelector : IPairSelector
{
    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public CandidatePair Select(FloatMatrix memberScores, SeededRandom random)
    {
        PairSelection.Check(memberScores);
        int n = memberScores.Columns;
        int first = random.Next(n);
        int second = random.Next(n - 1);
        return new CandidatePair(first, second >= first ? second + 1 : second);
    }
}

/// <summary>The selectors by name, for the command line.</summary>
internal static class PairSelectors
{
    /// <summary>Every selector.</summary>
    public static IReadOnlyList<IPairSelector> All { get; } = [new RandomPairSelector(), new UncertaintyPairSelector(), new ThompsonPairSelector(), new ThompsonMaxVariancePairSelector()];

    /// <summary>The selector called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No selector has that name.</exception>
    public static IPairSelector ByName(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"unknown pair selector '{name}' (expected: {string.Join(", ", All.Select(s => s.Name))})", nameof(name));
}

/// <summary>Shared pieces of the selectors.</summary>
internal static class PairSelection
{
    public static void Check(FloatMatrix memberScores)
    {
        if (memberScores.Rows < 1)
        {
            throw new ArgumentException("no ensemble members scored the candidates", nameof(memberScores));
        }

        if (memberScores.Columns < 2)
        {
            throw new ArgumentException($"a pair needs at least 2 candidates, got {memberScores.Columns}", nameof(memberScores));
        }
    }

    /// <summary>Index of the largest value other than <paramref name="exclude"/> (lowest index on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values, int exclude)
    {
        int best = -1;
        for (int i = 0; i < values.Length; i++)
        {
            if (i != exclude && (best < 0 || values[i] > values[best]))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Variance across members of candidate <paramref name="i"/>'s reward, or of r_i − r_j when <paramref name="j"/> is not −1.</summary>
    public static double Variance(FloatMatrix memberScores, int i, int j)
    {
        int members = memberScores.Rows, n = memberScores.Columns;
        double mean = 0, square = 0;
        for (int m = 0; m < members; m++)
        {
            double value = memberScores.Data[(m * n) + i] - (j < 0 ? 0f : memberScores.Data[(m * n) + j]);
            mean += value;
            square += value * value;
        }

        mean /= members;
        return Math.Max(0, (square / members) - (mean * mean));
    }
}
