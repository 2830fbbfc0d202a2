using MLNet.Rewards.Models;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class TrainGeneralistCommandTests
{
    private static string DataDirectory => Path.GetDirectoryName(SharedFiles.Data("llmbar.jsonl.gz"))!;

    [TestMethod]
    public void TrainsOnEverySourceSavesNormalisationStatsAndReportsEachSetBesideLongerWins()
    {
        string model = CliProcess.TempPath(".zip");
        var (code, stdout, stderr) = CliProcess.Run(
            null, "train-generalist", "--data-dir", DataDirectory, "--output", model, "--cap", "40", "--eval-cap", "30", "--head", "linear",
            "--epochs", "2", "--buckets", "64", "--layout", "ResponseAndPromptProduct", "--center-rewards-coefficient", "0.01", "--source-weight", "alpaca-eval=0.5");
        Assert.AreEqual(0, code, stderr);
        foreach (var source in new[] { "alpaca-eval 40", "helpsteer 40", "hh-harmless 40", "hh-helpful 40", "pku-saferlhf-harmless 40", "pku-saferlhf-helpful 40" })
        {
            StringAssert.Contains(stderr, source);
        }

        StringAssert.Contains(stderr, "length logit per source in the margin");
        StringAssert.Contains(stdout, "| alpaca-eval-test | all");
        StringAssert.Contains(stdout, "|    30 |");
        StringAssert.Contains(stdout, "| hh-harmless-test | all                         | 2,307 | 0.445 [");
        StringAssert.Contains(stdout, "| llmbar           | llmbar-adversarial-gptinst  |    92 | 0.130 [");
        StringAssert.Contains(stdout, "| llmbar-processed | llmbar-mtbench");

        var loaded = PairwiseRewardModel.Load(model);
        Assert.IsNotNull(loaded.Info.Rewards);
        Assert.AreEqual(2 * (loaded.Info.Training!.Pairs + loaded.Info.Training.ValidationPairs), loaded.Info.Rewards.Responses, "every response of the training pairs, the early-stopping hold-out included");
        Assert.IsGreaterThan(0, loaded.Info.Rewards.StandardDeviation);
        Assert.AreEqual(0.01f, (float)loaded.Info.Hyperparameters!["centerRewardsCoefficient"]!);
        File.Delete(model);
    }

    [TestMethod]
    public void ABadSourceWeightOrDataFolderIsABadCommandLine()
    {
        var (code, _, stderr) = CliProcess.Run(null, "train-generalist", "--data-dir", DataDirectory, "--output", CliProcess.TempPath(".zip"), "--source-weight", "alpaca-eval");
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "source=weight");

        string empty = Directory.CreateTempSubdirectory().FullName;
        (code, _, stderr) = CliProcess.Run(null, "train-generalist", "--data-dir", empty, "--output", CliProcess.TempPath(".zip"));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "alpaca-eval-train.jsonl.gz");
        Directory.Delete(empty);
    }
}
