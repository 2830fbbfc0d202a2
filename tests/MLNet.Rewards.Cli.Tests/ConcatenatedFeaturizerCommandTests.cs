using System.IO.Compression;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Models;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

/// <summary>--featurizer with parts joined by '+' (hashing+minilm).</summary>
[TestClass]
public sealed class ConcatenatedFeaturizerCommandTests
{
    private static string Slice(int pairs)
    {
        string path = CliProcess.TempPath(".jsonl");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(SharedFiles.Data("hh-harmless-train-sample.jsonl.gz")), CompressionMode.Decompress));
        File.WriteAllLines(path, Enumerable.Range(0, pairs).Select(_ => reader.ReadLine()!));
        return path;
    }

    [TestMethod]
    public void AnUnknownOrRepeatedPartIsABadCommandLine()
    {
        string data = Slice(20);
        foreach (var (kind, message) in new[] { ("hashing+bogus", "unknown featurizer 'bogus'"), ("hashing+hashing", "names hashing twice") })
        {
            string model = CliProcess.TempPath(".zip");
            var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", data, "--output", model, "--featurizer", kind, "--head", "linear", "--epochs", "1");
            Assert.AreEqual(2, code, stderr);
            StringAssert.Contains(stderr, message);
            Assert.IsFalse(File.Exists(model));
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void HashingPlusMiniLmTrainsEvaluatesThroughTheStoreAndEmbedRefusesIt()
    {
        string data = Slice(30);
        string model = CliProcess.TempPath(".zip");
        string store = CliProcess.TempPath(".sqlite");
        string minilm = SharedFiles.Model("all-MiniLM-L6-v2");
        try
        {
            var (code, _, stderr) = CliProcess.RunInProcess("train", "--data", data, "--output", model, "--featurizer", "hashing+minilm", "--buckets", "64",
                "--model-dir", minilm, "--store", store, "--head", "linear", "--epochs", "2");
            Assert.AreEqual(0, code, stderr);
            var loaded = PairwiseRewardModel.Load(model);
            var spec = (ConcatenatedFeaturizerSpec)loaded.Embedder.Spec;
            Assert.AreEqual(64 + 384, spec.Dimension);
            Assert.IsInstanceOfType<HashingFeaturizerSpec>(spec.Parts[0]);
            Assert.IsInstanceOfType<OnnxSentenceFeaturizerSpec>(spec.Parts[1]);
            ((IDisposable)loaded.Embedder).Dispose();

            (code, var stdout, stderr) = CliProcess.RunInProcess("evaluate", "--model", model, "--data", data, "--store", store, "--model-dir", minilm);
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, Path.GetFileName(data));

            (code, _, stderr) = CliProcess.RunInProcess("embed", "--featurizer", "hashing+minilm", "--data", data, "--store", store, "--model-dir", minilm);
            Assert.AreEqual(2, code, stderr);
            StringAssert.Contains(stderr, "embed fills the store for one featurizer");
        }
        finally
        {
            foreach (string path in new[] { model, data, store, store + "-wal", store + "-shm" })
            {
                File.Delete(path);
            }
        }
    }
}
