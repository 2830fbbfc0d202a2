namespace MLNet.Rewards.Experiments.Reporting;

/// <summary>The Pareto frontier of points where larger is better on both axes.</summary>
internal static class ParetoFrontier
{
    /// <summary>The points no other point beats on both axes, sorted by x.</summary>
    public static List<(double X, double Y)> Of(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        return [.. list.Where(p => !list.Any(q => q.X >= p.X && q.Y >= p.Y && (q.X > p.X || q.Y > p.Y))).OrderBy(p => p.X)];
    }
}
