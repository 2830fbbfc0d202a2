using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class ModelZipTests
{
    private static readonly Lazy<(PairwiseRewardModel Model, List<PreferencePair> Pairs)> Trained = new(() =>
    {
        var pairs = TestData.SharedPairs("hh-harmless-train-sample.jsonl.gz", 200);
        var estimator = new PairwiseRewardEstimator(
            new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 128 }),
            new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [32, 16] }, MaxEpochs = 3, Seed = 4 });
        return (estimator.Fit(pairs), pairs);
    });

    private static string SavedModel()
    {
        string path = TestData.TempPath(".zip");
        Trained.Value.Model.Save(path);
        return path;
    }

    [TestMethod]
    public void RoundTripScoresIdentically()
    {
        var (model, pairs) = Trained.Value;
        var loaded = PairwiseRewardModel.Load(SavedModel());
        var before = model.ScorePairs(pairs);
        var after = loaded.ScorePairs(pairs);
        CollectionAssert.AreEqual(before.Chosen, after.Chosen);
        CollectionAssert.AreEqual(before.Rejected, after.Rejected);
        Assert.AreEqual(model.Info.Training!.DataHash, loaded.Info.Training!.DataHash);
        Assert.AreEqual(PreferenceDataHash.Of(pairs), loaded.Info.Training.DataHash);
        Assert.AreEqual(model.Head.Spec, loaded.Head.Spec);
    }

    [TestMethod]
    public void ManifestDescribesTheModel()
    {
        using var zip = ZipFile.OpenRead(SavedModel());
        var manifest = JsonNode.Parse(zip.GetEntry("manifest.json")!.Open())!.AsObject();
        Assert.AreEqual(1, manifest["formatVersion"]!.GetValue<int>());
        Assert.AreEqual("pairwise-reward", manifest["component"]!.GetValue<string>());
        Assert.AreEqual("hashing", manifest["featurizer"]!["kind"]!.GetValue<string>());
        Assert.AreEqual(256, manifest["inputDimension"]!.GetValue<int>());
        Assert.AreEqual("mlp", manifest["head"]!["kind"]!.GetValue<string>());
        Assert.AreEqual(3, manifest["info"]!["hyperparameters"]!["maxEpochs"]!.GetValue<int>());
        Assert.AreEqual(64, manifest["weights"]!["sha256"]!.GetValue<string>().Length);
    }

    [TestMethod]
    public void SafetensorsHeaderIsStandard()
    {
        using var zip = ZipFile.OpenRead(SavedModel());
        using var stream = new MemoryStream();
        zip.GetEntry("weights.safetensors")!.Open().CopyTo(stream);
        var bytes = stream.ToArray();
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.AreEqual(0, headerLength % 8, "header padded to 8 bytes");
        var header = JsonNode.Parse(bytes.AsSpan(8, (int)headerLength).ToArray())!.AsObject();
        Assert.AreEqual("F32", header["layers.0.weight"]!["dtype"]!.GetValue<string>());
        CollectionAssert.AreEqual(new[] { 32, 256 }, header["layers.0.weight"]!["shape"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray());
    }

    [TestMethod]
    public void TruncatedZipIsRefused()
    {
        string path = SavedModel();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, "truncated or corrupt");
    }

    [TestMethod]
    public void NonZipIsRefused()
    {
        string path = TestData.WriteLines(["this is not a zip"], ".zip");
        Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
    }

    [TestMethod]
    public void MissingFileIsRefused()
    {
        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load("/nonexistent/model.zip"));
        StringAssert.Contains(error.Message, "not found");
    }

    [TestMethod]
    public void NewerFormatVersionIsRefused()
    {
        string path = Rewrite(SavedModel(), manifest => manifest["formatVersion"] = 99);
        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, "format version 99 is not supported");
    }

    [TestMethod]
    public void OtherComponentIsRefused()
    {
        string path = Rewrite(SavedModel(), manifest => manifest["component"] = "something-else");
        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, "holds a 'something-else' model");
    }

    [TestMethod]
    public void ChangedWeightsFailTheChecksum()
    {
        string path = SavedModel();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("weights.safetensors")!;
            using var stream = new MemoryStream();
            using (var source = entry.Open())
            {
                source.CopyTo(stream);
            }

            var bytes = stream.ToArray();
            bytes[^1] ^= 0x40;
            entry.Delete();
            using var target = zip.CreateEntry("weights.safetensors").Open();
            target.Write(bytes);
        }

        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, "checksum does not match");
    }

    [TestMethod]
    public void DimensionMismatchIsRefused()
    {
        string path = Rewrite(SavedModel(), manifest => manifest["inputDimension"] = 300);
        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, "inputDimension is 300");
    }

    [TestMethod]
    public void HeadShapeMismatchIsRefused()
    {
        string path = Rewrite(SavedModel(), manifest => manifest["head"] = new JsonObject { ["kind"] = "mlp", ["hiddenSizes"] = new JsonArray(8, 16) });
        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, "tensor 'layers.0.weight' has shape [32,256]");
    }

    [TestMethod]
    public void SaveReplacesAtomicallyAndLeavesNoTemporaryFiles()
    {
        string directory = Directory.CreateTempSubdirectory("mlnet-rewards-save").FullName;
        string path = Path.Combine(directory, "model.zip");
        File.WriteAllText(path, "old content");
        Trained.Value.Model.Save(path);
        Assert.AreEqual(1, Directory.GetFiles(directory).Length, "only the model remains");
        Assert.IsNotNull(PairwiseRewardModel.Load(path));
    }

    [TestMethod]
    public void FailedSaveKeepsThePreviousFile()
    {
        string directory = Directory.CreateTempSubdirectory("mlnet-rewards-save").FullName;
        string path = Path.Combine(directory, "model.zip");
        Trained.Value.Model.Save(path);
        byte[] before = File.ReadAllBytes(path);
        var bad = new NamedTensor("w", [3], [1f, 2f]);
        Assert.ThrowsExactly<ArgumentException>(() => ModelArchive.Save(path, "pairwise-reward", new JsonObject(), [bad]));
        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        Assert.AreEqual(1, Directory.GetFiles(directory).Length);
    }

    /// <summary>Rewrites the manifest (and keeps the weights), as a hand-edited or foreign file would be.</summary>
    private static string Rewrite(string path, Action<JsonObject> edit)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            JsonObject manifest;
            using (var source = entry.Open())
            {
                manifest = JsonNode.Parse(source)!.AsObject();
            }

            edit(manifest);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            writer.Write(manifest.ToJsonString());
        }

        return path;
    }
}
