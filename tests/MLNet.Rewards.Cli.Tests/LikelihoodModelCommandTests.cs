using System.IO.Compression;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class LikelihoodModelCommandTests
{
    private static string ModelFolder => SharedFiles.Model("SmolLM2-135M-Instruct-q4");

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheZipItWritesIsEvaluatedAndScoredLikeATrainedModel()
    {
        string zip = CliProcess.TempPath(".zip"), pairs = CliProcess.TempPath(".jsonl");
        try
        {
            var (code, stdout, stderr) = CliProcess.RunInProcess("likelihood-model", "--llm", ModelFolder, "--output", zip, "--max-response-tokens", "48");
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "likelihood-reward (PointwiseMutualInformationPerToken under SmolLM2-135M-Instruct-q4)");
            using (var archive = ZipFile.OpenRead(zip))
            {
                CollectionAssert.AreEquivalent(new[] { "manifest.json", "weights.safetensors" }, archive.Entries.Select(e => e.FullName).ToArray());
            }

            File.WriteAllLines(pairs, new[]
            {
                """{"id":"a","source":"t","prompt":"What is the capital of France?","chosen":"The capital of France is Paris.","rejected":"Red, orange and yellow are colours."}""",
                """{"id":"b","source":"t","prompt":"Name three colours of the rainbow.","chosen":"Red, orange and yellow are colours.","rejected":"The capital of France is Paris."}""",
            });
            (code, stdout, stderr) = CliProcess.RunInProcess("evaluate", "--model", zip, "--data", pairs);
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "|     2 | 1.000 [1.000, 1.000]", "each answer gains more from its own question");

            (code, stdout, stderr) = CliProcess.RunInProcess("score", "--model", zip, "--prompt", "What is the capital of France?", "--response", "Paris.");
            Assert.AreEqual(0, code, stderr);
            Assert.IsTrue(float.TryParse(stdout.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float reward) && float.IsFinite(reward), stdout);
        }
        finally
        {
            File.Delete(zip);
            File.Delete(pairs);
        }
    }

    [TestMethod]
    public void ABadLimitIsAUsageErrorAndWritesNothing()
    {
        string zip = CliProcess.TempPath(".zip");
        var (code, _, stderr) = CliProcess.RunInProcess("likelihood-model", "--output", zip, "--max-prompt-tokens", "4");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "MaxPromptTokens");
        Assert.IsFalse(File.Exists(zip));
    }
}
