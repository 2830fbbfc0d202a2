using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Experiments.Tests;

[TestClass]
public sealed class PrefillSpeedCommandTests
{
    private static string ModelFolder => SharedFiles.Model("SmolLM2-135M-Instruct-q4");

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TimesBothGraphsOnTheSameBatchesAndTheirStatesAgree()
    {
        var (code, stdout, stderr) = ExperimentsRun.Run(
            "prefill-speed", "--llm", ModelFolder, "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--pairs", "1", "--passes", "1", "--threads", "2");
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "llmbar.jsonl.gz: 2 conversations");
        StringAssert.Contains(stdout, "| whole (logits and hidden_states)  |");
        StringAssert.Contains(stdout, "| featurizer's (hidden_states only) |");
        StringAssert.Contains(stdout, "tokens/s of the medians: ");
        // Cutting the output projection must not change a single hidden state.
        StringAssert.EndsWith(stdout.TrimEnd(), "largest |difference| of a hidden-state component between the graphs: 0");
    }

    [TestMethod]
    [DataRow("--pairs", "0", "--pairs and --passes must be at least 1")]
    [DataRow("--passes", "0", "--pairs and --passes must be at least 1")]
    [DataRow("--batch-tokens", "-1", "--batch-tokens 0 or more")]
    public void BadCountsAreUsageErrorsBeforeAnyModelIsLoaded(string option, string value, string message)
    {
        // The model folder does not exist: a bad count must be refused before it is looked at.
        var (code, _, stderr) = ExperimentsRun.Run("prefill-speed", "--llm", Path.Combine(Path.GetTempPath(), "no-such-model"), option, value);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, message);
    }

    [TestMethod]
    public void AMissingDataFileIsAUsageErrorNamingIt()
    {
        string missing = ExperimentsRun.TempPath(".jsonl.gz");
        var (code, _, stderr) = ExperimentsRun.Run("prefill-speed", "--llm", Path.Combine(Path.GetTempPath(), "no-such-model"), "--data", missing);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, $"--data {missing} does not exist");
    }
}
