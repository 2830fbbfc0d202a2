using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Experiments.Tests;

[TestClass]
public sealed class LikelihoodRewardCommandTests
{
    private static string ModelFolder => SharedFiles.Model("SmolLM2-135M-Instruct-q4");

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EvaluatesTheZeroShotRewardsAndASecondRunReadsEveryValueFromTheStore()
    {
        string store = ExperimentsRun.TempPath(".sqlite"), output = ExperimentsRun.TempPath("");
        string dataFolder = Path.GetDirectoryName(SharedFiles.Data("llmbar.jsonl.gz"))!;
        string[] args = ["likelihood-reward", "--llm", ModelFolder, "--data", dataFolder, "--sets", "llmbar", "--cap", "1", "--store", store, "--out", output, "--max-response-tokens", "32"];

        var (code, stdout, stderr) = ExperimentsRun.Run(args);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stderr, "llmbar: 5 pairs; 10 responses computed, 0 read from the store");
        StringAssert.Contains(stdout, "| llmbar | llmbar-adversarial-neighbor |     1 |");
        string table = File.ReadAllText(Path.Combine(output, "likelihood-reward.md"));
        StringAssert.Contains(table, "| set    | source                      | pairs | longer wins          | log-likelihood per token | PMI                  | PMI per token        |");
        Assert.IsTrue(File.Exists(Path.Combine(output, "likelihood-reward-length.md")));
        string strata = File.ReadAllText(Path.Combine(output, "likelihood-reward-length-strata.md"));
        StringAssert.Contains(strata, "| llmbar | the longer one ");
        StringAssert.Contains(strata, "| llmbar | the shorter one ");
        StringAssert.Contains(strata, "| llmbar | mean of the two ");

        var again = ExperimentsRun.Run(args);
        Assert.AreEqual(0, again.ExitCode, again.Stderr);
        StringAssert.Contains(again.Stderr, "llmbar: 5 pairs; 0 responses computed, 10 read from the store");
        Assert.AreEqual(table, File.ReadAllText(Path.Combine(output, "likelihood-reward.md")), "stored values give the same table");
    }

    [TestMethod]
    public void ANegativeCapOrAMissingSetIsAUsageError()
    {
        var (code, _, stderr) = ExperimentsRun.Run("likelihood-reward", "--cap", "-1", "--out", ExperimentsRun.TempPath(""));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--cap must be 0 (all pairs) or more");

        string empty = Directory.CreateTempSubdirectory("mlnet-rewards-experiments-").FullName;
        var missing = ExperimentsRun.Run("likelihood-reward", "--data", empty, "--sets", "llmbar", "--out", ExperimentsRun.TempPath(""));
        Assert.AreEqual(2, missing.ExitCode, missing.Stderr);
        StringAssert.Contains(missing.Stderr, $"--data {empty} has no llmbar.jsonl.gz");
    }
}
