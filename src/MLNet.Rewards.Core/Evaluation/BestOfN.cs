namespace MLNet.Rewards.Evaluation;

/// <summary>
/// Best-of-N selection measured against a known golden reward: candidates come in consecutive groups (one per prompt); in
/// each group the first N compete, the one a reward model scores highest is chosen, and its golden reward is what counts.
/// </summary>
internal static class BestOfN
{
    /// <summary>
    /// Mean over groups of the golden reward of the highest-scored candidate among the first <paramref name="n"/> of each
    /// group of <paramref name="groupSize"/> (the first one on ties). Scoring with the golden reward itself gives the oracle.
    /// A NaN or infinite score never wins over a finite one.
    /// </summary>
    /// <exception cref="ArgumentException">A group has no finite score among its first <paramref name="n"/>.</exception>
    public static double MeanGoldenOfChoice(ReadOnlySpan<float> scores, ReadOnlySpan<float> golden, int groupSize, int n)
    {
        Check(scores.Length, golden.Length, groupSize, n);
        int groups = scores.Length / groupSize;
        double sum = 0;
        for (int g = 0; g < groups; g++)
        {
            int start = g * groupSize, best = -1;
            for (int i = start; i < start + n; i++)
            {
                if (float.IsFinite(scores[i]) && (best < 0 || scores[i] > scores[best]))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                throw new ArgumentException($"group {g} has no finite score among its first {n} candidates", nameof(scores));
            }

            sum += golden[best];
        }

        return sum / groups;
    }

    /// <summary>Expected golden reward of a uniformly random pick among the first <paramref name="n"/> of each group, averaged over groups.</summary>
    public static double MeanGoldenOfRandomPick(ReadOnlySpan<float> golden, int groupSize, int n)
    {
        Check(golden.Length, golden.Length, groupSize, n);
        int groups = golden.Length / groupSize;
        double sum = 0;
        for (int g = 0; g < groups; g++)
        {
            foreach (float value in golden.Slice(g * groupSize, n))
            {
                sum += value;
            }
        }

        return sum / groups / n;
    }

    private static void Check(int scores, int golden, int groupSize, int n)
    {
        if (scores != golden)
        {
            throw new ArgumentException($"{scores} scores but {golden} golden rewards");
        }

        if (groupSize < 1 || scores == 0 || scores % groupSize != 0)
        {
            throw new ArgumentException($"{scores} candidates do not form whole groups of {groupSize}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, groupSize);
    }
}
