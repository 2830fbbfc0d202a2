namespace MLNet.Rewards.Tests;

/// <summary>Finds the read-only ../shared folder beside the repository (data and models are never copied in).</summary>
internal static class SharedFiles
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        string? env = Environment.GetEnvironmentVariable("MLNET_REWARDS_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env))
        {
            return env;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "data")))
            {
                return candidate;
            }
        }

        return null;
    });

    /// <summary>Path of a file under ../shared/data, or a failed assertion saying the shared folder is absent.</summary>
    public static string Data(string name) => Require(Path.Combine("data", name));

    /// <summary>Path of a folder under ../shared/models.</summary>
    public static string Model(string name) => Require(Path.Combine("models", name));

    private static string Require(string relative)
    {
        if (Root.Value is null)
        {
            Assert.Fail("../shared (the read-only data and models beside the repository) was not found; set MLNET_REWARDS_SHARED to its path.");
        }

        string path = Path.Combine(Root.Value!, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Fail($"{path} is absent from the shared folder.");
        }

        return path;
    }
}
