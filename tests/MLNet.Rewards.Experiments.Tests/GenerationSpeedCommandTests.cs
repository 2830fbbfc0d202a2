using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Experiments.Tests;

[TestClass]
public sealed class GenerationSpeedCommandTests
{
    private static string ModelFolder => SharedFiles.Model("SmolLM2-135M-Instruct-q4");

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TimesAFixturePromptAndPrintsJson()
    {
        var (code, stdout, stderr) = ExperimentsRun.Run("generation-speed", "--llm", ModelFolder, "--threads", "2", "--prompts", "1", "--warmup", "0", "--json");
        Assert.AreEqual(0, code, stderr);
        using var report = JsonDocument.Parse(stdout);
        var prompt = report.RootElement.GetProperty("prompts").EnumerateArray().Single();
        Assert.AreEqual("What is the capital of France?", prompt.GetProperty("prompt").GetString());
        Assert.AreEqual(37, prompt.GetProperty("promptTokens").GetInt32());
        // Without AVX-512, ONNX Runtime runs other 4-bit kernels than the ones that reproduce the fixture, and a near tie
        // may flip a token (see FixtureKernels in the Core tests).
        bool exact = prompt.GetProperty("matchesFixture").GetBoolean();
        Assert.IsTrue(exact || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported, "on the fixture's kernels every id is the fixture's");
        int generated = prompt.GetProperty("generatedTokens").GetInt32();
        if (exact)
        {
            Assert.AreEqual(10, generated);
            Assert.AreEqual(JsonValueKind.Null, prompt.GetProperty("departsAtNearTie").ValueKind);
        }
        else
        {
            Assert.IsGreaterThan(prompt.GetProperty("departsAtNearTie").GetInt32(), generated);
        }

        Assert.IsGreaterThan(0.0, prompt.GetProperty("decodeTokensPerSecond").GetDouble());
        Assert.IsGreaterThanOrEqualTo(0.0, prompt.GetProperty("jitMs").GetDouble());
        Assert.AreEqual(generated, report.RootElement.GetProperty("overall").GetProperty("generatedTokens").GetInt32());
        Assert.AreEqual(2, report.RootElement.GetProperty("threads").GetInt32());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void AFixtureOurRunnerDoesNotReproduceFailsLoudly()
    {
        // The model folder's files, linked (not copied), with a fixture whose first generation has one token changed.
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-cli-").FullName;
        try
        {
            foreach (string name in new[] { "model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json" })
            {
                File.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine(ModelFolder, name));
            }

            var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(ModelFolder, "fixture.json")))!;
            fixture["generations"]![0]!["steps"]![3]!["token"] = 7;
            File.WriteAllText(Path.Combine(folder, "fixture.json"), fixture.ToJsonString());

            var (code, stdout, stderr) = ExperimentsRun.Run("generation-speed", "--llm", folder, "--threads", "2", "--prompts", "1", "--warmup", "0", "--json");
            Assert.AreEqual(1, code, stdout);
            StringAssert.Contains(stderr, "greedy decoding of 'What is the capital of France?' differs from the reference: at step 3 the reference chose token 7");
            Assert.AreEqual("", stdout.Trim(), "no timings are printed for a run that did not reproduce the reference");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void NegativeCountsAreUsageErrors()
    {
        var (code, _, stderr) = ExperimentsRun.Run("generation-speed", "--llm", ModelFolder, "--prompts", "-1");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "--prompts and --warmup must be 0 or more");
    }
}
