using Spectre.Console;

namespace MLNet.Rewards.Experiments.Reporting;

/// <summary>
/// Renders a result table (built with <see cref="ResultTables.Create"/>) as Markdown: the one writer of every table an
/// experiment saves, so that a table in a report file reads as the one printed to the terminal.
/// </summary>
internal static class MarkdownTable
{
    /// <summary>Wide enough that no cell wraps (a wrapped cell would break the Markdown row).</summary>
    private const int Width = 100_000;

    /// <summary>The table's Markdown lines, without trailing spaces, joined by newlines.</summary>
    public static string Render(Table table)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = Width;
        console.Write(table);
        return string.Join('\n', writer.ToString().Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0));
    }

    /// <summary>A cell's text with the Markdown column separator escaped.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
