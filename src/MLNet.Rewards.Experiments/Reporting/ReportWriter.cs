using System.CommandLine;
using MLNet.Rewards.Cli.Commands;
using MLNet.Rewards.Persistence;
using Spectre.Console;

namespace MLNet.Rewards.Experiments.Reporting;

/// <summary>Writes an evidence command's tables (to stdout and as Markdown files) and SVG and PNG charts into one output folder.</summary>
internal sealed class ReportWriter
{
    private readonly DirectoryInfo _folder;

    public ReportWriter(DirectoryInfo folder)
    {
        _folder = folder;
        _folder.Create();
    }

    /// <summary>The folder an experiment writes to unless told otherwise: <c>docs/results/&lt;command&gt;</c>.</summary>
    public static DirectoryInfo DefaultFolder(string command) => new(Path.Combine("docs", "results", command));

    /// <summary>The <c>--out</c> option of every evidence command, by default <see cref="DefaultFolder"/>.</summary>
    public static Option<DirectoryInfo> OutputOption(string command) => OutputTargets.Written(new Option<DirectoryInfo>("--out")
    {
        Description = $"Folder for the result tables (.md) and plots (.svg and .png); default docs/results/{command}.",
        DefaultValueFactory = _ => DefaultFolder(command),
    });

    /// <summary>Prints <paramref name="table"/> and writes it, under <paramref name="caption"/>, to <c>name.md</c>.</summary>
    public void Table(string name, string caption, Table table)
    {
        Console.WriteLine(caption);
        ResultTables.Write(table);
        Console.WriteLine();
        WriteAtomically(name + ".md", $"{caption}\n\n{MarkdownTable.Render(table)}\n");
    }

    /// <summary>Writes <paramref name="chart"/> to <c>name.svg</c> and <c>name.png</c>.</summary>
    public void Chart(string name, Chart chart) => Write(_folder, name, chart);

    /// <summary>Writes <paramref name="chart"/> to <c>name.svg</c> and <c>name.png</c> in <paramref name="folder"/>.</summary>
    public static void Write(DirectoryInfo folder, string name, Chart chart)
    {
        string svg = Path.Combine(folder.FullName, name + ".svg"), png = Path.Combine(folder.FullName, name + ".png");
        AtomicFile.WriteAllText(svg, chart.RenderSvg());
        AtomicFile.Write(png, chart.RenderPng());
        Console.Error.WriteLine($"wrote {svg} and {png}");
    }

    private void WriteAtomically(string file, string text) => AtomicFile.WriteAllText(Path.Combine(_folder.FullName, file), text);
}
