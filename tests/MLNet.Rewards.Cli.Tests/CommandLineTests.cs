using System.Globalization;
using System.Text.Json;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class CommandLineTests
{
    private static readonly Lazy<string> Model = new(() =>
    {
        string path = CliProcess.TempPath(".zip");
        var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", SharedFiles.Data("hh-harmless-train-sample.jsonl.gz"), "--head", "linear", "--epochs", "2", "--buckets", "128", "--output", path);
        Assert.AreEqual(0, code, stderr);
        return path;
    });

    [TestMethod]
    public void HelpListsTheCommands()
    {
        var (code, stdout, _) = CliProcess.RunInProcess("--help");
        Assert.AreEqual(0, code);
        foreach (string command in new[] { "train", "evaluate", "score", "demo" })
        {
            StringAssert.Contains(stdout, command);
        }
    }

    [TestMethod]
    public void MissingRequiredOptionIsAUsageError()
    {
        var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", "x.jsonl");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "--output");
    }

    [TestMethod]
    public void OutOfRangeOptionIsAUsageErrorNamingIt()
    {
        var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--output", CliProcess.TempPath(".zip"), "--batch-size", "0");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "BatchSize must be at least 1 (got 0)");
    }

    [TestMethod]
    public void MalformedDataLineIsABadInputErrorWithFileAndLine()
    {
        string data = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(data, ["""{"prompt":"p","chosen":"a","rejected":"b"}""", """{"prompt":"p","chosen":"a"}"""]);
        var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", data, "--output", CliProcess.TempPath(".zip"));
        Assert.AreEqual(3, code);
        StringAssert.Contains(stderr, $"{data}:2: field 'rejected' is missing");
        Assert.IsFalse(stderr.Contains("   at ", StringComparison.Ordinal), "no stack trace for bad input");
    }

    [TestMethod]
    public void TrainEvaluateScoreRoundTrip()
    {
        var (code, stdout, stderr) = CliProcess.RunInProcess("evaluate", "--model", Model.Value, "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--per-source");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "llmbar.jsonl.gz");
        StringAssert.Contains(stdout, "llmbar-natural");

        (code, stdout, stderr) = CliProcess.RunInProcess("score", "--model", Model.Value, "--prompt", "How do I boil an egg?", "--response", "Boil it for eight minutes.");
        Assert.AreEqual(0, code, stderr);
        float single = float.Parse(stdout.Trim(), CultureInfo.InvariantCulture);

        string rows = """
            {"id":"x","prompt":"How do I boil an egg?","response":"Boil it for eight minutes."}
            {"prompt":"Hi","response":"Hello!"}
            """;
        (code, stdout, stderr) = CliProcess.Run(rows, "score", "--model", Model.Value);
        Assert.AreEqual(0, code, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(2, lines);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.AreEqual("x", first.RootElement.GetProperty("id").GetString());
        Assert.AreEqual(single, first.RootElement.GetProperty("reward").GetSingle());
    }

    [TestMethod]
    public void BadStdinRowIsABadInputErrorWithLine()
    {
        var (code, _, stderr) = CliProcess.Run("{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"a\"}\n", "score", "--model", Model.Value);
        Assert.AreEqual(3, code);
        StringAssert.Contains(stderr, "<stdin>:2: field 'response' is missing");
    }

    [TestMethod]
    public void PromptWithoutResponseIsAUsageError()
    {
        var (code, _, stderr) = CliProcess.RunInProcess("score", "--model", Model.Value, "--prompt", "only a prompt");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "--prompt and --response go together");
    }

    [TestMethod]
    public void CorruptModelIsABadInputError()
    {
        string path = CliProcess.TempPath(".zip");
        File.WriteAllText(path, "not a zip");
        var (code, _, stderr) = CliProcess.RunInProcess("evaluate", "--model", path, "--data", SharedFiles.Data("llmbar.jsonl.gz"));
        Assert.AreEqual(3, code);
        StringAssert.Contains(stderr, "not a valid model zip");
    }

    [TestMethod]
    public void SyntheticDemoPrintsTheTable()
    {
        var (code, stdout, stderr) = CliProcess.RunInProcess("demo", "--max-train", "800", "--epochs", "2", "--hidden", "32", "16");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "label noise");
        StringAssert.Contains(stdout, "40 %");
    }
}
