using System.Globalization;
using System.Security;
using System.Text;

namespace MLNet.Rewards.Cli.Reports;

/// <summary>A small SVG writer for labelled scatter plots with an optional connecting line (e.g. a Pareto frontier).</summary>
internal sealed class SvgScatterPlot(string title, string xLabel, string yLabel)
{
    private const int Width = 640, Height = 480, Margin = 70;
    private readonly List<(double X, double Y, string Label)> _points = [];
    private readonly List<(double X, double Y)> _line = [];

    public void AddPoint(double x, double y, string label) => _points.Add((x, y, label));

    /// <summary>Points joined in order by a line drawn under the markers.</summary>
    public void SetLine(IEnumerable<(double X, double Y)> points)
    {
        _line.Clear();
        _line.AddRange(points);
    }

    public string Render()
    {
        if (_points.Count == 0)
        {
            throw new InvalidOperationException("a scatter plot needs at least one point");
        }

        double minX = _points.Min(p => p.X), maxX = _points.Max(p => p.X), minY = _points.Min(p => p.Y), maxY = _points.Max(p => p.Y);
        double padX = Math.Max(1e-6, (maxX - minX) * 0.1), padY = Math.Max(1e-6, (maxY - minY) * 0.1);
        (minX, maxX, minY, maxY) = (minX - padX, maxX + padX, minY - padY, maxY + padY);
        double Px(double x) => Margin + ((x - minX) / (maxX - minX) * (Width - (2 * Margin)));
        double Py(double y) => Height - Margin - ((y - minY) / (maxY - minY) * (Height - (2 * Margin)));
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        static string T(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Height - Margin}\" x2=\"{Width - Margin}\" y2=\"{Height - Margin}\" stroke=\"black\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{Margin}\" y1=\"{Margin}\" x2=\"{Margin}\" y2=\"{Height - Margin}\" stroke=\"black\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double x = minX + ((maxX - minX) * i / 4), y = minY + ((maxY - minY) * i / 4);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(x))}\" y=\"{Height - Margin + 18}\" text-anchor=\"middle\">{T(x)}</text>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Margin - 8}\" y=\"{F(Py(y) + 4)}\" text-anchor=\"end\">{T(y)}</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height - 20}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"18\" y=\"{Height / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {Height / 2})\">{Escape(yLabel)}</text>");
        if (_line.Count > 1)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"{string.Join(" ", _line.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"))}\"/>");
        }

        foreach (var (x, y, label) in _points)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Px(x))}\" cy=\"{F(Py(y))}\" r=\"5\" fill=\"#1f77b4\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(x) + 8)}\" y=\"{F(Py(y) - 6)}\">{Escape(label)}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>The points no other point beats on both axes, sorted by x.</summary>
    public static List<(double X, double Y)> ParetoFrontier(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        return [.. list.Where(p => !list.Any(q => q.X >= p.X && q.Y >= p.Y && (q.X > p.X || q.Y > p.Y))).OrderBy(p => p.X)];
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
