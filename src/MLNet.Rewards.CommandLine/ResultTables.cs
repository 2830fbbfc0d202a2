using System.Globalization;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Training;
using Spectre.Console;

namespace MLNet.Rewards.Cli;

/// <summary>Renders results as tables on stdout.</summary>
internal static class ResultTables
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Accuracy(AccuracySummary summary) =>
        double.IsNaN(summary.Accuracy) ? "-" : string.Format(Invariant, "{0:F3} [{1:F3}, {2:F3}]", summary.Accuracy, summary.Low, summary.High);

    public static string Number(double value, string format = "F3") => double.IsNaN(value) ? "-" : value.ToString(format, Invariant);

    /// <summary>A Markdown-bordered table whose headers are plain text (never parsed as markup); headers starting with '&gt;' are right-aligned.</summary>
    public static Table Create(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Markdown);
        foreach (string header in headers)
        {
            table.AddColumn(header.StartsWith('>') ? new TableColumn(new Text(header[1..])).RightAligned() : new TableColumn(new Text(header)));
        }

        return table;
    }

    /// <summary>Adds a row of plain-text cells (brackets in numbers such as "[0.91, 0.93]" are not markup).</summary>
    public static void AddPlainRow(this Table table, IEnumerable<string> cells) => table.AddRow(cells.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)));

    /// <summary>
    /// One row per evaluated set: accuracy with interval, log-loss, calibration, length correlation, and the
    /// length-stratified accuracy (mean of the chosen-longer and chosen-shorter pairs' accuracies; 0.5 for length alone).
    /// </summary>
    public static Table Evaluations(IEnumerable<(string Name, EvaluationReport Report)> rows)
    {
        var table = Create("set", ">pairs", "accuracy [95% CI]", ">log-loss", ">ECE", ">ρ(reward, length)", ">length-stratified");
        foreach (var (name, report) in rows)
        {
            table.AddPlainRow([name, report.Overall.Count.ToString(Invariant), Accuracy(report.Overall), Number(report.LogLoss), Number(report.CalibrationError), Number(report.LengthSpearman), Number(report.ByLength.MeanAccuracy)]);
        }

        return table;
    }

    /// <summary>Accuracy per source for one report.</summary>
    public static Table PerSource(EvaluationReport report)
    {
        var table = Create("source", ">pairs", "accuracy [95% CI]");
        foreach (var (source, summary) in report.PerSource)
        {
            table.AddPlainRow([source, summary.Count.ToString(Invariant), Accuracy(summary)]);
        }

        return table;
    }

    /// <summary>The epochs of a training run.</summary>
    public static Table Epochs(IEnumerable<EpochReport> epochs, int bestEpoch)
    {
        var table = Create(">epoch", ">train loss", ">valid loss", ">valid acc", ">time");
        foreach (var e in epochs)
        {
            table.AddPlainRow(
            [
                e.Epoch == bestEpoch ? $"{e.Epoch}*" : e.Epoch.ToString(Invariant),
                Number(e.TrainLoss, "F4"),
                Number(e.ValidationLoss, "F4"),
                Number(e.ValidationAccuracy),
                $"{e.Elapsed.TotalSeconds.ToString("F1", Invariant)} s",
            ]);
        }

        return table;
    }

    /// <summary>Writes a table to stdout, wide enough not to wrap when output is redirected.</summary>
    public static void Write(Table table)
    {
        var console = Console.IsOutputRedirected
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No })
            : AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }

        console.Write(table);
    }
}
