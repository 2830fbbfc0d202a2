using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class RewardBenchCommandTests
{
    [TestMethod]
    public void ModelRunWritesScoresThatGiveTheSameV1ReportAndFeedV2()
    {
        string model = CliProcess.TempPath(".zip");
        var (code, _, stderr) = CliProcess.Run(null, "train", "--data", SharedFiles.Data("hh-harmless-train-sample.jsonl.gz"), "--head", "linear", "--epochs", "1", "--buckets", "64", "--output", model);
        Assert.AreEqual(0, code, stderr);

        string scores = CliProcess.TempPath(".jsonl");
        (code, var fromModel, stderr) = CliProcess.Run(null, "evaluate", "--model", model, "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--rewardbench", "--write-scores", scores);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(fromModel, "RewardBench v1: llmbar.jsonl.gz");
        StringAssert.Contains(fromModel, "Chat Hard");
        StringAssert.Contains(fromModel, "llmbar-adversarial-gptinst");
        Assert.DoesNotContain("not in any section", fromModel, "every llmbar subset is in Chat Hard");
        Assert.HasCount(419, File.ReadAllLines(scores));

        (code, var fromScores, stderr) = CliProcess.Run(null, "evaluate", "--scores", scores, "--rewardbench");
        Assert.AreEqual(0, code, stderr);
        Assert.AreEqual(V1Tables(fromModel), V1Tables(fromScores).Replace(Path.GetFileName(scores), "llmbar.jsonl.gz"));

        (code, var v2, stderr) = CliProcess.Run(null, "evaluate", "--scores", scores, "--rewardbench-v2");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(v2, "headline (mean of 5 subsets)");
    }

    [TestMethod]
    public void V2FromAHandWrittenScoreFile()
    {
        // x: 1 (strictly highest) and 1/2 (tied with one) = 0.75; y: 1/3 (tied with two). Headline (0.75 + 1/3) / 2.
        string scores = Write(
            """{"id":"1","subset":"x","scores":[3,1,2,0]}""",
            """{"id":"2","subset":"x","scores":[3,3,1,0]}""",
            """{"id":"3","subset":"y","scores":[2,2,2,1]}""");
        var (code, stdout, stderr) = CliProcess.Run(null, "evaluate", "--scores", scores, "--rewardbench-v2");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "0.750");
        StringAssert.Contains(stdout, "0.333");
        StringAssert.Contains(stdout, "0.542");

        (code, _, stderr) = CliProcess.Run(null, "evaluate", "--scores", scores, "--rewardbench");
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, "needs exactly 2");
    }

    [TestMethod]
    public void BadScoreFilesAndMisusedOptionsAreClearErrors()
    {
        string bad = Write("""{"id":"1","subset":"x","scores":[3,1]}""", """{"id":"2","subset":"x","scores":[3]}""");
        var (code, _, stderr) = CliProcess.Run(null, "evaluate", "--scores", bad, "--rewardbench-v2");
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, $"{bad}:2: ");
        StringAssert.Contains(stderr, "scores");

        (code, _, stderr) = CliProcess.Run(null, "evaluate", "--scores", bad);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--rewardbench");

        (code, _, stderr) = CliProcess.Run(null, "evaluate", "--data", SharedFiles.Data("llmbar.jsonl.gz"));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--model");

        string sections = Write("""{"Chat": ["a"]}""");
        (code, _, stderr) = CliProcess.Run(null, "evaluate", "--scores", Write("""{"id":"1","subset":"a","scores":[1,0]}"""), "--rewardbench", "--sections", sections);
        Assert.AreEqual(3, code, stderr);
        StringAssert.Contains(stderr, sections);
    }

    private static string V1Tables(string stdout) => stdout[stdout.IndexOf("RewardBench v1", StringComparison.Ordinal)..].Trim();

    private static string Write(params string[] lines)
    {
        string path = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }
}
