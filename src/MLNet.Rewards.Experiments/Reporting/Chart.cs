using System.Globalization;
using ScottPlot;

namespace MLNet.Rewards.Experiments.Reporting;

/// <summary>One point of a chart, with an optional interval drawn as an error bar and an optional text label.</summary>
/// <param name="X">Horizontal position.</param>
/// <param name="Y">Vertical position.</param>
/// <param name="Low">Lower end of the interval (NaN for none).</param>
/// <param name="High">Upper end of the interval (NaN for none).</param>
/// <param name="Label">Text drawn beside the point (null for none).</param>
internal readonly record struct ChartPoint(double X, double Y, double Low = double.NaN, double High = double.NaN, string? Label = null);

/// <summary>How a series is drawn.</summary>
internal enum ChartStyle
{
    /// <summary>Points joined by a line, with markers.</summary>
    LinesAndMarkers,

    /// <summary>Markers only (a scatter plot).</summary>
    Markers,

    /// <summary>A line only.</summary>
    Line,
}

/// <summary>A named series of points.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">The points, in drawing order.</param>
/// <param name="Style">How the series is drawn.</param>
internal sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, ChartStyle Style = ChartStyle.LinesAndMarkers);

/// <summary>
/// The one chart of the evidence commands, drawn by ScottPlot: lines and/or markers per series, optional error bars and
/// point labels, a linear or logarithmic x axis, a legend; rendered to SVG and PNG.
/// </summary>
internal sealed class Chart
{
    private const int Width = 720, Height = 440;

    public required string Title { get; init; }

    public required string XLabel { get; init; }

    public required string YLabel { get; init; }

    /// <summary>Draws x on a log10 scale, with a tick at every distinct x labelled with its value.</summary>
    public bool LogX { get; init; }

    public List<ChartSeries> Series { get; } = [];

    /// <summary>The chart as an SVG document.</summary>
    public string RenderSvg()
    {
        using var plot = Build();
        return plot.GetSvgXml(Width, Height);
    }

    /// <summary>The chart as a PNG image.</summary>
    public byte[] RenderPng()
    {
        using var plot = Build();
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private Plot Build()
    {
        var points = Series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            throw new InvalidOperationException($"chart '{Title}' has no points");
        }

        if (LogX && points.Exists(p => !(p.X > 0)))
        {
            double bad = points.First(p => !(p.X > 0)).X;
            throw new InvalidOperationException($"chart '{Title}' has a log-scale x axis but a point at x = {bad.ToString(CultureInfo.InvariantCulture)}");
        }

        var plot = new Plot();
        plot.Title(Title);
        plot.XLabel(XLabel);
        plot.YLabel(YLabel);
        foreach (var series in Series)
        {
            double[] xs = [.. series.Points.Select(p => X(p.X))], ys = [.. series.Points.Select(p => p.Y)];
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = series.Name;
            scatter.LineWidth = series.Style == ChartStyle.Markers ? 0 : 2;
            scatter.MarkerSize = series.Style == ChartStyle.Line ? 0 : 6;
            var withInterval = series.Points.Where(p => double.IsFinite(p.Low) && double.IsFinite(p.High)).ToList();
            if (withInterval.Count > 0)
            {
                var bars = new ScottPlot.Plottables.ErrorBar(
                    [.. withInterval.Select(p => X(p.X))],
                    [.. withInterval.Select(p => p.Y)],
                    null,
                    null,
                    [.. withInterval.Select(p => p.High - p.Y)],
                    [.. withInterval.Select(p => p.Y - p.Low)])
                { Color = scatter.Color };
                plot.Add.Plottable(bars);
            }

            foreach (var point in series.Points.Where(p => p.Label is not null))
            {
                var text = plot.Add.Text(point.Label!, X(point.X), point.Y);
                text.LabelFontSize = 11;
                text.OffsetX = 6;
            }
        }

        if (LogX)
        {
            var ticks = points.Select(p => p.X).Distinct().Order().ToArray();
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. ticks.Select(Math.Log10)], [.. ticks.Select(x => x.ToString("G4", CultureInfo.InvariantCulture))]);
        }

        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private double X(double x) => LogX ? Math.Log10(x) : x;
}
