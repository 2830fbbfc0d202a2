using System.Globalization;

namespace MLNet.Rewards.Experiments.Reporting;

/// <summary>The mean of a result over independent seeds, its sample standard deviation, and a normal 95% interval of the mean.</summary>
/// <param name="Mean">Mean over seeds.</param>
/// <param name="StdDev">Sample standard deviation over seeds (0 for one seed).</param>
/// <param name="HalfWidth">1.96 · StdDev / √seeds.</param>
internal readonly record struct SeedSummary(double Mean, double StdDev, double HalfWidth)
{
    public static SeedSummary Of(IReadOnlyCollection<double> values)
    {
        double mean = values.Average();
        double sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new SeedSummary(mean, sd, 1.96 * sd / Math.Sqrt(values.Count));
    }

    /// <summary>"mean ± half-width".</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:F3} ± {1:F3}", Mean, HalfWidth);

    /// <summary>A chart point at <paramref name="x"/> with the interval as its error bar.</summary>
    public ChartPoint At(double x) => new(x, Mean, Mean - HalfWidth, Mean + HalfWidth);
}
