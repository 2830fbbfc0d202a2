using System.IO.Compression;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

/// <summary>Exit codes and messages for the bad inputs of issue 14: cut gzip files, empty files, diverging training.</summary>
[TestClass]
public sealed class BadInputExitCodeTests
{
    private static string SharedSlice(int pairs, string extension)
    {
        string path = CliProcess.TempPath(extension);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(SharedFiles.Data("hh-harmless-train-sample.jsonl.gz")), CompressionMode.Decompress));
        File.WriteAllLines(path, Enumerable.Range(0, pairs).Select(_ => reader.ReadLine()!));
        return path;
    }

    private static string[] TrainArguments(string data, params string[] extra)
        => ["train", "--data", data, "--output", CliProcess.TempPath(".zip"), "--head", "linear", "--buckets", "64", "--epochs", "2", .. extra];

    [TestMethod]
    public void GzipCutAtALineBoundaryIsBadInputEvenWithSkipBadLines()
    {
        string data = CliProcess.TempPath(".jsonl.gz");
        using (var buffer = new MemoryStream())
        {
            var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true);
            gzip.Write(File.ReadAllBytes(SharedSlice(40, ".jsonl")));
            gzip.Flush();
            File.WriteAllBytes(data, buffer.ToArray());
        }

        var (code, _, stderr) = CliProcess.RunInProcess(TrainArguments(data, "--skip-bad-lines"));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, data);
        StringAssert.Contains(stderr, "truncated");
    }

    [TestMethod]
    public void EmptyFileIsBadInputForTrainAndEvaluate()
    {
        string empty = CliProcess.TempPath(".jsonl");
        File.WriteAllText(empty, "");
        var (code, _, stderr) = CliProcess.RunInProcess(TrainArguments(empty));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, $"{empty}: no preference pairs");

        string model = CliProcess.TempPath(".zip");
        (code, _, stderr) = CliProcess.RunInProcess("train", "--data", SharedSlice(60, ".jsonl"), "--output", model, "--head", "linear", "--buckets", "64", "--epochs", "1");
        Assert.AreEqual(0, code, stderr);
        (code, _, stderr) = CliProcess.RunInProcess("evaluate", "--model", model, "--data", empty);
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, $"{empty}: no preference pairs");
    }

    [TestMethod]
    public void AllLinesSkippedIsBadInput()
    {
        string data = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(data, ["{oops", """{"prompt":"p"}"""]);
        var (code, _, stderr) = CliProcess.RunInProcess(TrainArguments(data, "--skip-bad-lines"));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, "all 2 non-blank line(s) were malformed");
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("0.2")]
    public void DivergingTrainingFailsWithExitOneAndSavesNothing(string validationFraction)
    {
        string output = CliProcess.TempPath(".zip");
        var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", SharedSlice(100, ".jsonl"), "--output", output, "--head", "linear", "--buckets", "64", "--learning-rate", "1e30", "--validation-fraction", validationFraction);
        Assert.AreEqual(1, code, stderr);
        StringAssert.Contains(stderr, "error: training diverged:");
        Assert.IsFalse(stderr.Contains("Index was out of range", StringComparison.Ordinal), stderr);
        Assert.IsFalse(File.Exists(output), "no model is saved");
    }

    [TestMethod]
    public void ZipWithAHugeManifestIsBadInputAtOnce()
    {
        string model = CliProcess.TempPath(".zip");
        using (var zip = ZipFile.Open(model, ZipArchiveMode.Create))
        {
            using var stream = zip.CreateEntry("manifest.json", CompressionLevel.Optimal).Open();
            stream.Write("{\"formatVersion\":1,\"component\":\"pairwise-reward\""u8);
            stream.Write(Enumerable.Repeat((byte)' ', 64 << 20).ToArray());
            stream.Write("}"u8);
        }

        var (code, _, stderr) = CliProcess.RunInProcess("score", "--model", model, "--prompt", "p", "--response", "r");
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, "'manifest.json' declares");
    }
}
