namespace MLNet.Rewards.Evaluation;

/// <summary>Rank statistics and resampling used by the evaluators.</summary>
internal static class Statistics
{
    /// <summary>Spearman's rank correlation (Pearson correlation of average ranks, so ties are handled). NaN for fewer than 2 points or a constant input.</summary>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"{x.Length} x values but {y.Length} y values");
        }

        if (x.Length < 2)
        {
            return double.NaN;
        }

        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Pearson's correlation; NaN when either input is constant.</summary>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++)
        {
            mx += x[i];
            my += y[i];
        }

        mx /= x.Length;
        my /= y.Length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based average ranks (ties share the mean of their positions).</summary>
    public static double[] Ranks(ReadOnlySpan<double> values)
    {
        var order = new int[values.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var copy = values.ToArray();
        Array.Sort(order, (a, b) => copy[a].CompareTo(copy[b]));
        var ranks = new double[values.Length];
        int start = 0;
        while (start < order.Length)
        {
            int end = start;
            while (end + 1 < order.Length && copy[order[end + 1]] == copy[order[start]])
            {
                end++;
            }

            double rank = ((start + end) / 2.0) + 1;
            for (int k = start; k <= end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }

    /// <summary>
    /// Percentile bootstrap interval of the mean of <paramref name="values"/>: <paramref name="samples"/> resamples with
    /// replacement, seeded; returns the (α/2, 1 − α/2) quantiles.
    /// </summary>
    public static (double Low, double High) BootstrapMeanInterval(ReadOnlySpan<double> values, int samples, long seed, double confidence = 0.95)
    {
        if (values.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        var random = new SeededRandom(seed);
        var means = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            double sum = 0;
            for (int i = 0; i < values.Length; i++)
            {
                sum += values[random.Next(values.Length)];
            }

            means[s] = sum / values.Length;
        }

        Array.Sort(means);
        double alpha = (1 - confidence) / 2;
        return (Quantile(means, alpha), Quantile(means, 1 - alpha));
    }

    /// <summary>Linear-interpolated quantile of sorted values.</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        double position = q * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
