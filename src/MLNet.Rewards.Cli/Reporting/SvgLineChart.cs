using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Cli.Reporting;

/// <summary>One point of a line chart, with an optional interval drawn as an error bar.</summary>
/// <param name="X">Horizontal position.</param>
/// <param name="Y">Vertical position.</param>
/// <param name="Low">Lower end of the interval (NaN for none).</param>
/// <param name="High">Upper end of the interval (NaN for none).</param>
internal readonly record struct ChartPoint(double X, double Y, double Low = double.NaN, double High = double.NaN);

/// <summary>A named line of points.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">The points, in drawing order.</param>
internal sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);

/// <summary>
/// A minimal SVG line chart (no external packages): axes with ticks, a linear or logarithmic x axis, lines with markers,
/// optional error bars, a legend. The output is plain, deterministic SVG text.
/// </summary>
internal sealed class SvgLineChart
{
    private const int Width = 720, Height = 440, Left = 70, Right = 190, Top = 40, Bottom = 60;
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly double[] NiceSteps = [1.0, 2.0, 2.5, 5.0, 10.0];

    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    public bool LogX { get; init; }

    public List<ChartSeries> Series { get; } = [];

    /// <summary>The chart as an SVG document.</summary>
    public string Render()
    {
        var points = Series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            throw new InvalidOperationException($"chart '{Title}' has no points");
        }

        double xMin = points.Min(p => X(p.X)), xMax = points.Max(p => X(p.X));
        var ys = points.SelectMany(p => new[] { p.Y, p.Low, p.High }).Where(double.IsFinite).ToList();
        (double yMin, double yMax, double yStep) = NiceRange(ys.Min(), ys.Max());
        if (xMax == xMin)
        {
            xMax = xMin + 1;
        }

        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        double Px(double x) => Left + ((X(x) - xMin) / (xMax - xMin) * plotWidth);
        double Py(double y) => Top + plotHeight - ((y - yMin) / (yMax - yMin) * plotHeight);

        var svg = new StringBuilder();
        svg.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(Invariant, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(Invariant, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(Title)}</text>\n");

        for (double y = yMin; y <= yMax + (yStep / 2); y += yStep)
        {
            double py = Py(y);
            svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{py:F1}\" x2=\"{Left + plotWidth:F1}\" y2=\"{py:F1}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(Invariant, $"<text x=\"{Left - 6}\" y=\"{py + 4:F1}\" text-anchor=\"end\">{FormatTick(y, yStep)}</text>\n");
        }

        foreach (double x in points.Select(p => p.X).Distinct().Order())
        {
            double px = Px(x);
            svg.Append(Invariant, $"<line x1=\"{px:F1}\" y1=\"{Top + plotHeight:F1}\" x2=\"{px:F1}\" y2=\"{Top + plotHeight + 5:F1}\" stroke=\"black\"/>\n");
            svg.Append(Invariant, $"<text x=\"{px:F1}\" y=\"{Top + plotHeight + 18:F1}\" text-anchor=\"middle\">{Escape(x.ToString("G4", Invariant))}</text>\n");
        }

        svg.Append(Invariant, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotWidth:F1}\" height=\"{plotHeight:F1}\" fill=\"none\" stroke=\"black\"/>\n");
        svg.Append(Invariant, $"<text x=\"{Left + (plotWidth / 2):F1}\" y=\"{Height - 15}\" text-anchor=\"middle\">{Escape(XLabel)}</text>\n");
        svg.Append(Invariant, $"<text x=\"16\" y=\"{Top + (plotHeight / 2):F1}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Top + (plotHeight / 2):F1})\">{Escape(YLabel)}</text>\n");

        for (int s = 0; s < Series.Count; s++)
        {
            string color = Palette[s % Palette.Length];
            var series = Series[s];
            string path = string.Join(" ", series.Points.Select((p, i) => string.Create(Invariant, $"{(i == 0 ? 'M' : 'L')}{Px(p.X):F1},{Py(p.Y):F1}")));
            svg.Append(Invariant, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            foreach (var p in series.Points)
            {
                if (double.IsFinite(p.Low) && double.IsFinite(p.High))
                {
                    svg.Append(Invariant, $"<line x1=\"{Px(p.X):F1}\" y1=\"{Py(p.Low):F1}\" x2=\"{Px(p.X):F1}\" y2=\"{Py(p.High):F1}\" stroke=\"{color}\" stroke-width=\"1\"/>\n");
                }

                svg.Append(Invariant, $"<circle cx=\"{Px(p.X):F1}\" cy=\"{Py(p.Y):F1}\" r=\"3\" fill=\"{color}\"/>\n");
            }

            double ly = Top + 10 + (s * 20);
            svg.Append(Invariant, $"<line x1=\"{Width - Right + 15}\" y1=\"{ly:F1}\" x2=\"{Width - Right + 40}\" y2=\"{ly:F1}\" stroke=\"{color}\" stroke-width=\"2\"/>\n");
            svg.Append(Invariant, $"<text x=\"{Width - Right + 46}\" y=\"{ly + 4:F1}\">{Escape(series.Name)}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private double X(double x) => LogX ? Math.Log10(x) : x;

    /// <summary>A range covering [min, max] with about five round-numbered steps.</summary>
    private static (double Min, double Max, double Step) NiceRange(double min, double max)
    {
        if (max == min)
        {
            max = min + 1;
        }

        double raw = (max - min) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = NiceSteps.Select(m => m * magnitude).First(s => s >= raw);
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    private static string FormatTick(double value, double step)
    {
        int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
        return Math.Round(value, decimals).ToString("F" + decimals, Invariant);
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
