using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Cli;
using MLNet.Rewards.Cli.Commands;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Storage;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests.Featurization;

[TestClass]
public sealed class ConcatenatedTextEmbedderTests
{
    private static readonly HashingFeaturizerSpec Wide = new() { Buckets = 64 };
    private static readonly HashingFeaturizerSpec Narrow = new() { Buckets = 32, MaxWordNgram = 1, Seed = 7 };

    /// <summary>More texts than one parallel slice (64), with repeats and an empty one.</summary>
    private static readonly string[] Texts = [.. Enumerable.Range(0, 150).Select(i => i % 37 == 0 ? string.Empty : $"response {i % 50} about reward models, variant {i % 7}")];

    [TestMethod]
    public void EachPartFillsItsOwnColumnsInOrder()
    {
        var wide = new HashingTextEmbedder(Wide);
        var narrow = new HashingTextEmbedder(Narrow);
        using var concatenated = new ConcatenatedTextEmbedder([wide, narrow]);
        Assert.AreEqual(96, concatenated.Dimension);
        Assert.AreEqual(96, concatenated.Spec.Dimension);
        Assert.AreEqual(0, concatenated.ColumnOffset(0));
        Assert.AreEqual(64, concatenated.ColumnOffset(1));

        var together = concatenated.EmbedAll(Texts);
        var first = wide.EmbedAll(Texts);
        var second = narrow.EmbedAll(Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            CollectionAssert.AreEqual(first.Row(i).ToArray(), together.Row(i)[..64].ToArray(), $"text {i}, first part");
            CollectionAssert.AreEqual(second.Row(i).ToArray(), together.Row(i)[64..].ToArray(), $"text {i}, second part");
        }

        // The order of the parts is the order of the columns.
        using var swapped = new ConcatenatedTextEmbedder([narrow, wide]);
        CollectionAssert.AreEqual(second.Row(3).ToArray(), swapped.EmbedAll(Texts).Row(3)[..32].ToArray());
    }

    [TestMethod]
    public void SpecRoundTripsThroughJsonWithItsPartsAndEqualsByValue()
    {
        var spec = new ConcatenatedFeaturizerSpec { Parts = [Wide, Narrow] };
        string json = JsonSerializer.Serialize<FeaturizerSpec>(spec, ModelArchive.JsonOptions);
        var parts = JsonNode.Parse(json)!["parts"]!.AsArray();
        Assert.AreEqual("concatenated", JsonNode.Parse(json)!["kind"]!.GetValue<string>());
        Assert.AreEqual("hashing", parts[0]!["kind"]!.GetValue<string>());
        Assert.AreEqual(32, parts[1]!["buckets"]!.GetValue<int>());

        var back = JsonSerializer.Deserialize<FeaturizerSpec>(json, ModelArchive.JsonOptions);
        Assert.AreEqual(spec, back);
        Assert.AreEqual(spec.GetHashCode(), back!.GetHashCode());
        Assert.AreNotEqual(spec, new ConcatenatedFeaturizerSpec { Parts = [Narrow, Wide] });
        Assert.AreNotEqual(EmbeddingStore.IdentityOf(spec), EmbeddingStore.IdentityOf(new ConcatenatedFeaturizerSpec { Parts = [Narrow, Wide] }));
        StringAssert.Contains(spec.ToString(), "Buckets = 32");
    }

    [TestMethod]
    public void AnEmptyConcatenationIsRefused()
    {
        Assert.ThrowsExactly<InvalidOptionException>(() => new ConcatenatedFeaturizerSpec { Parts = [] }.CreateEmbedder(FeaturizerContext.Default));
        Assert.ThrowsExactly<InvalidOptionException>(() => new ConcatenatedTextEmbedder([]));
    }

    [TestMethod]
    public void ZipRoundTripScoresBitIdentically()
    {
        var pairs = TestData.SharedPairs("hh-harmless-train-sample.jsonl.gz", 120);
        var embedder = new ConcatenatedFeaturizerSpec { Parts = [Wide, Narrow] }.CreateEmbedder(FeaturizerContext.Default);
        var model = new PairwiseRewardEstimator(embedder, new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [16] }, MaxEpochs = 2, Seed = 3 }).Fit(pairs);
        string path = TestData.TempPath(".zip");
        try
        {
            model.Save(path);
            using (var zip = ZipFile.OpenRead(path))
            {
                var manifest = JsonNode.Parse(zip.GetEntry("manifest.json")!.Open())!.AsObject();
                Assert.AreEqual("concatenated", manifest["featurizer"]!["kind"]!.GetValue<string>());
                Assert.AreEqual(2 * 96, manifest["inputDimension"]!.GetValue<int>());
            }

            var loaded = PairwiseRewardModel.Load(path);
            Assert.IsInstanceOfType<ConcatenatedTextEmbedder>(loaded.Embedder);
            Assert.AreEqual(model.Embedder.Spec, loaded.Embedder.Spec);
            var before = model.ScorePairs(pairs);
            var after = loaded.ScorePairs(pairs);
            CollectionAssert.AreEqual(before.Chosen, after.Chosen);
            CollectionAssert.AreEqual(before.Rejected, after.Rejected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheCommandLineJoinsPartsWithPlusEachWithItsOptions()
    {
        using var scope = Featurizer("--featurizer", "hashing", "--buckets", "48");
        Assert.IsInstanceOfType<HashingTextEmbedder>(scope.Embedder, "a single part stays the plain featurizer");
        Assert.AreEqual(48, scope.Embedder.Dimension);
    }

    [TestMethod]
    [DataRow("hashing+bogus", "unknown featurizer 'bogus' in 'hashing+bogus'")]
    [DataRow("hashing+hashing", "names hashing twice")]
    [DataRow("minilm+onnx-sentence", "names minilm twice")]
    [DataRow("hashing+", "unknown featurizer ''")]
    [DataRow("hashing+smollm2", "smollm2 cannot be a part of a concatenation")]
    public void AnUnknownOrRepeatedPartIsAUsageError(string kind, string message)
    {
        var error = Assert.ThrowsExactly<UsageException>(() => Featurizer("--featurizer", kind).Dispose());
        StringAssert.Contains(error.Message, message);
    }

    [TestMethod]
    public void WithAStoreHashingPartsAreComputedDirectlyAndNeverStored()
    {
        string store = TestData.TempPath(".sqlite");
        try
        {
            using var concatenated = new ConcatenatedTextEmbedder([new HashingTextEmbedder(Wide), new HashingTextEmbedder(Narrow)]);
            var expected = concatenated.EmbedAll(Texts).Data;
            using (var scope = EmbedderScope.WithStore(concatenated, new FileInfo(store), new EmbeddingStoreOptions()))
            {
                var parts = ((ConcatenatedTextEmbedder)scope.Embedder).Parts;
                Assert.IsTrue(parts.All(p => p is HashingTextEmbedder), string.Join(", ", parts));
                Assert.IsNull(scope.Cached, "no single store wraps the whole concatenation");
                CollectionAssert.AreEqual(expected, scope.Embedder.EmbedAll(Texts).Data);
            }

            using var reopened = EmbeddingStore.Open(store);
            Assert.AreEqual(0, reopened.Count);
        }
        finally
        {
            foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(store + suffix);
            }
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void WithMiniLmALoadedZipRecreatesThePartAndAModelFolderOverrideReachesIt()
    {
        var pairs = TestData.SharedPairs("hh-harmless-train-sample.jsonl.gz", 24);
        var spec = new ConcatenatedFeaturizerSpec { Parts = [Wide, OnnxSentenceFeaturizerSpec.FromModelDirectory(MiniLmFixture.ModelDirectory)] };
        string path = TestData.TempPath(".zip");
        string moved = TestData.TempPath(string.Empty);
        try
        {
            float[] chosen;
            using (var embedder = (ConcatenatedTextEmbedder)spec.CreateEmbedder(FeaturizerContext.Default))
            {
                Assert.AreEqual(64 + 384, embedder.Dimension);
                var model = new PairwiseRewardEstimator(embedder, new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 2, Seed = 3 }).Fit(pairs);
                model.Save(path);
                chosen = model.ScorePairs(pairs).Chosen;
            }

            var loaded = PairwiseRewardModel.Load(path);
            using (var again = (ConcatenatedTextEmbedder)loaded.Embedder)
            {
                Assert.IsInstanceOfType<OnnxSentenceEmbedder>(again.Parts[1]);
                Assert.AreEqual(spec, again.Spec);
                CollectionAssert.AreEqual(chosen, loaded.ScorePairs(pairs).Chosen);
            }

            // The model folder somewhere else (a link to the same files): --model-dir reaches the ONNX part.
            Directory.CreateSymbolicLink(moved, MiniLmFixture.ModelDirectory);
            var relocated = PairwiseRewardModel.Load(path, new FeaturizerContext { ModelDirectory = moved });
            using (var embedder = (ConcatenatedTextEmbedder)relocated.Embedder)
            {
                Assert.AreEqual(moved, ((OnnxSentenceFeaturizerSpec)embedder.Parts[1].Spec).ModelDirectory);
                CollectionAssert.AreEqual(chosen, relocated.ScorePairs(pairs).Chosen);
            }

            // A folder without the encoder is refused as for a plain MiniLM zip.
            var missing = Assert.ThrowsExactly<FileNotFoundException>(() => PairwiseRewardModel.Load(path, new FeaturizerContext { ModelDirectory = Path.GetTempPath() }));
            StringAssert.Contains(missing.Message, "ONNX model not found");
        }
        finally
        {
            File.Delete(path);
            if (Directory.Exists(moved))
            {
                Directory.Delete(moved);
            }
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheCommandLineStoreReusesVectorsStoredByPlainMiniLm()
    {
        string store = TestData.TempPath(".sqlite");
        string[] texts = [.. Texts.Distinct().Take(20)];
        try
        {
            float[] stored;
            using (var plain = Featurizer("--featurizer", "minilm", "--model-dir", MiniLmFixture.ModelDirectory, "--store", store))
            {
                stored = plain.Embedder.EmbedAll(texts).Data;
                Assert.AreEqual(texts.Length, plain.Cached!.Computed);
            }

            using (var scope = Featurizer("--featurizer", "hashing+minilm", "--buckets", "64", "--model-dir", MiniLmFixture.ModelDirectory, "--store", store))
            {
                var concatenated = (ConcatenatedTextEmbedder)scope.Embedder;
                Assert.IsInstanceOfType<HashingTextEmbedder>(concatenated.Parts[0]);
                var minilm = (CachedTextEmbedder)concatenated.Parts[1];
                var vectors = concatenated.EmbedAll(texts);
                Assert.AreEqual(texts.Length, minilm.Hits, "every MiniLM vector comes from the store");
                Assert.AreEqual(0, minilm.Computed, "the encoder did not run");
                var hashing = new HashingTextEmbedder(Wide).EmbedAll(texts);
                for (int i = 0; i < texts.Length; i++)
                {
                    CollectionAssert.AreEqual(hashing.Row(i).ToArray(), vectors.Row(i)[..64].ToArray());
                    CollectionAssert.AreEqual(stored.AsSpan(i * 384, 384).ToArray(), vectors.Row(i)[64..].ToArray());
                }

                Assert.AreEqual(texts.Length, minilm.Store.Count, "nothing was added: hashing vectors are not stored");
            }
        }
        finally
        {
            foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(store + suffix);
            }
        }
    }

    /// <summary>The embedder the command-line featurizer options build from <paramref name="args"/>.</summary>
    private static EmbedderScope Featurizer(params string[] args)
    {
        var options = new FeaturizerOptions();
        var command = new Command("test");
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        var parse = command.Parse(args);
        Assert.IsEmpty(parse.Errors, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return options.CreateEmbedder(parse);
    }
}
