namespace MLNet.Rewards.Benchmarks;

/// <summary>
/// Puts a report into a Markdown page between <c>&lt;!-- results:begin --&gt;</c> and <c>&lt;!-- results:end --&gt;</c>,
/// keeping the hand-written text around them; a page without the markers is written as the report alone.
/// </summary>
internal static class BenchmarkDocument
{
    public const string Begin = "<!-- results:begin -->";
    public const string End = "<!-- results:end -->";

    public static void Write(string path, string report)
    {
        string existing = File.Exists(path) ? File.ReadAllText(path) : "";
        int begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        int end = existing.IndexOf(End, StringComparison.Ordinal);
        string content = begin >= 0 && end > begin
            ? existing[..(begin + Begin.Length)] + "\n" + report.TrimEnd() + "\n" + existing[end..]
            : report;
        string temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
