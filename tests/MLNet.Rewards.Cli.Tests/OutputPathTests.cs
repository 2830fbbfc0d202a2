using System.Diagnostics;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

/// <summary>Every command that writes refuses outputs that are its inputs, directories or non-regular files (exit 2).</summary>
[TestClass]
public sealed class OutputPathTests
{
    private static string SmallData()
    {
        string data = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 20).Select(i => $$"""{"id":"p{{i}}","prompt":"question {{i % 4}}","chosen":"a good answer {{i}}","rejected":"bad {{i}}"}"""));
        return data;
    }

    private static string[] Train(string data, string output, params string[] more) =>
        ["train", "--data", data, "--output", output, "--head", "linear", "--epochs", "1", "--buckets", "32", .. more];

    [TestMethod]
    public void OutputEqualToTheDataFileIsRefusedAndTheDataKept()
    {
        string data = SmallData();
        string before = File.ReadAllText(data);
        var (code, _, stderr) = CliProcess.RunInProcess(Train(data, data));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "is the same file as --data");
        Assert.AreEqual(before, File.ReadAllText(data));
    }

    [TestMethod]
    public void OutputThroughALinkToTheDataFileIsRefused()
    {
        string data = SmallData();
        string link = CliProcess.TempPath(".zip");
        File.CreateSymbolicLink(link, data);
        var (code, _, stderr) = CliProcess.RunInProcess(Train(data, link));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "is the same file as --data");
        StringAssert.StartsWith(File.ReadAllText(data), "{\"id\":\"p0\"");
    }

    [TestMethod]
    public void OutputThatIsADirectoryOrAPipeIsAUsageError()
    {
        string data = SmallData();
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-cli-").FullName;
        var (code, _, stderr) = CliProcess.RunInProcess(Train(data, folder));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "is a directory");
        Assert.IsFalse(stderr.Contains("IOException", StringComparison.Ordinal));
        if (OperatingSystem.IsLinux())
        {
            string fifo = Path.Combine(folder, "pipe.zip");
            using (var mkfifo = Process.Start("mkfifo", fifo))
            {
                mkfifo.WaitForExit();
            }

            (code, _, stderr) = CliProcess.RunInProcess(Train(data, fifo));
            Assert.AreEqual(2, code, stderr);
            StringAssert.Contains(stderr, "not a regular file");
        }
    }

    [TestMethod]
    public void TheModelZipMayNotReplaceTheEmbeddingStoreNorTheStoreADataFile()
    {
        string data = SmallData();
        string store = CliProcess.TempPath(".sqlite");
        var (code, _, stderr) = CliProcess.RunInProcess(Train(data, store, "--store", store));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "is the same file as --store");

        (code, _, stderr) = CliProcess.RunInProcess("embed", "--featurizer", "hashing", "--data", data, "--store", data);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--store");
    }

    [TestMethod]
    public void ADamagedStoreVectorStopsTrainingWithABadInputErrorNamingThePair()
    {
        string data = SmallData();
        string store = CliProcess.TempPath(".sqlite");
        var (code, _, stderr) = CliProcess.RunInProcess("embed", "--featurizer", "hashing", "--buckets", "32", "--data", data, "--store", store);
        Assert.AreEqual(0, code, stderr);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // Changes one vector behind the store's back (as a damaged page would), leaving its checksum as it was.
            command.CommandText = "UPDATE embeddings SET vector = zeroblob(length(vector)) WHERE key = (SELECT key FROM embeddings ORDER BY key LIMIT 1); PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }

        string output = CliProcess.TempPath(".zip");
        (code, _, stderr) = CliProcess.RunInProcess(Train(data, output, "--store", store));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, "is damaged: its checksum does not match");
        StringAssert.Contains(stderr, "of record 'p");
        Assert.IsFalse(File.Exists(output));
    }
}
