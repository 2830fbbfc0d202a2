using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

/// <summary>The prototype head and the ensemble trainer from the command line (their evidence commands are experiments).</summary>
[TestClass]
public sealed class PrototypeAndEnsembleCommandTests
{
    [TestMethod]
    public void PrototypeHeadAndEnsembleTrainFromTheCommandLine()
    {
        string proto = CliProcess.TempPath(".zip"), ensemble = CliProcess.TempPath(".zip");
        try
        {
            string data = SharedFiles.Data("hh-harmless-train-sample.jsonl.gz");
            var (code, _, stderr) = CliProcess.Run(null, "train", "--data", data, "--head", "prototype", "--prototypes", "4", "--epochs", "2", "--buckets", "64", "--output", proto);
            Assert.AreEqual(0, code, stderr);
            (code, var stdout, stderr) = CliProcess.Run(null, "train-ensemble", "--data", data, "--head", "linear", "--members", "2", "--epochs", "2", "--buckets", "64", "--aggregation", "LowerConfidenceBound", "--output", ensemble, "--evaluate", SharedFiles.Data("llmbar.jsonl.gz"));
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "mean-1std");
            StringAssert.Contains(stdout, "llmbar.jsonl.gz");

            // evaluate takes any reward model: the ensemble is scored by its saved aggregation.
            (code, stdout, stderr) = CliProcess.Run(null, "evaluate", "--model", ensemble, "--data", SharedFiles.Data("llmbar.jsonl.gz"));
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "llmbar.jsonl.gz");
            StringAssert.Contains(stdout, "419");

            // The embedding store belongs to the pairwise route; asking for it with an ensemble is a usage error.
            (code, _, stderr) = CliProcess.Run(null, "evaluate", "--model", ensemble, "--store", CliProcess.TempPath(".sqlite"), "--data", SharedFiles.Data("llmbar.jsonl.gz"));
            Assert.AreEqual(2, code, stderr);
            StringAssert.Contains(stderr, "reward-ensemble");
        }
        finally
        {
            File.Delete(proto);
            File.Delete(ensemble);
        }
    }

    [TestMethod]
    public void TrainEnsembleRejectsBadSettings()
    {
        var (code, _, stderr) = CliProcess.Run(null, "train-ensemble", "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--aggregation", "Member", "--members", "3", "--member", "7", "--output", CliProcess.TempPath(".zip"));
        Assert.AreEqual(2, code, stderr);
    }
}
