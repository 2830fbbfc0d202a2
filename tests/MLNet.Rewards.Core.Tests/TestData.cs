using MLNet.Rewards.Data;

namespace MLNet.Rewards.Tests;

/// <summary>Small helpers for writing temporary data files.</summary>
internal static class TestData
{
    /// <summary>Writes <paramref name="lines"/> to a new temporary file with the given extension and returns its path.</summary>
    public static string WriteLines(IEnumerable<string> lines, string extension = ".jsonl")
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-rewards-test-{Guid.NewGuid():N}{extension}");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A temporary path (not created).</summary>
    public static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"mlnet-rewards-test-{Guid.NewGuid():N}{extension}");

    /// <summary>The first <paramref name="count"/> pairs of a shared data file.</summary>
    public static List<PreferencePair> SharedPairs(string file, int count) => [.. PreferencePairReader.Read(SharedFiles.Data(file)).Take(count)];
}
