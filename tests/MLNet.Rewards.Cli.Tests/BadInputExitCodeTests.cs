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

        var (code, _, stderr) = CliProcess.Run(null, TrainArguments(data, "--skip-bad-lines"));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, data);
        StringAssert.Contains(stderr, "truncated");
    }

    [TestMethod]
    public void EmptyFileIsBadInputForTrainAndEvaluate()
    {
        string empty = CliProcess.TempPath(".jsonl");
        File.WriteAllText(empty, "");
        var (code, _, stderr) = CliProcess.Run(null, TrainArguments(empty));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, $"{empty}: no preference pairs");

        string model = CliProcess.TempPath(".zip");
        (code, _, stderr) = CliProcess.Run(null, "train", "--data", SharedSlice(60, ".jsonl"), "--output", model, "--head", "linear", "--buckets", "64", "--epochs", "1");
        Assert.AreEqual(0, code, stderr);
        (code, _, stderr) = CliProcess.Run(null, "evaluate", "--model", model, "--data", empty);
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, $"{empty}: no preference pairs");
    }

    [TestMethod]
    public void AllLinesSkippedIsBadInput()
    {
        string data = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(data, ["{oops", """{"prompt":"p"}"""]);
        var (code, _, stderr) = CliProcess.Run(null, TrainArguments(data, "--skip-bad-lines"));
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, "all 2 non-blank line(s) were malformed");
    }
}
