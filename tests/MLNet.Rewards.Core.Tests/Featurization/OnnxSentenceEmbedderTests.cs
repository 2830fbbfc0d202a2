using System.Numerics.Tensors;
using System.Text.Json;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests.Featurization;

[TestClass]
public sealed class OnnxSentenceEmbedderTests
{
    private static readonly Lazy<OnnxSentenceFeaturizerSpec> LazySpec = new(() => OnnxSentenceFeaturizerSpec.FromModelDirectory(MiniLmFixture.ModelDirectory));
    private static readonly Lazy<OnnxSentenceEmbedder> LazyEmbedder = new(() => new OnnxSentenceEmbedder(LazySpec.Value));

    private static OnnxSentenceEmbedder Embedder => LazyEmbedder.Value;

    [ClassCleanup]
    public static void Cleanup()
    {
        if (LazyEmbedder.IsValueCreated)
        {
            LazyEmbedder.Value.Dispose();
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void SpecIsReadFromTheModelFolder()
    {
        var spec = LazySpec.Value;
        Assert.AreEqual(384, spec.Dimension);
        Assert.AreEqual(SentencePooling.Mean, spec.Pooling);
        Assert.IsTrue(spec.Normalize);
        Assert.AreEqual(256, spec.MaxLength);
        Assert.AreEqual(64, spec.ModelSha256.Length);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EmbeddingsMatchSentenceTransformersOnEveryFixtureText()
    {
        var items = MiniLmFixture.Items;
        var vectors = Embedder.EmbedAll([.. items.Select(i => i.Text)]);
        float worst = 1;
        for (int i = 0; i < items.Count; i++)
        {
            worst = MathF.Min(worst, TensorPrimitives.CosineSimilarity(vectors.Row(i), items[i].Embedding));
            Assert.AreEqual(1f, TensorPrimitives.Norm(vectors.Row(i)), 1e-4f);
        }

        Assert.IsGreaterThanOrEqualTo(0.9999f, worst, $"lowest cosine to the reference: {worst}");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void BatchingDoesNotChangeTheVectors()
    {
        string[] texts = ["short", "a somewhat longer sentence about reward models", "", "mid length text here"];
        var together = Embedder.EmbedAll(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var alone = Embedder.Embed(texts[i]);
            Assert.IsGreaterThan(0.99999f, TensorPrimitives.CosineSimilarity(alone, together.Row(i)), $"text {i}");
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void SpecRoundTripsThroughJsonAsAFeaturizerSpec()
    {
        string json = JsonSerializer.Serialize<FeaturizerSpec>(LazySpec.Value, ModelArchive.JsonOptions);
        StringAssert.Contains(json, "\"kind\": \"onnx-sentence\"");
        var back = (OnnxSentenceFeaturizerSpec)JsonSerializer.Deserialize<FeaturizerSpec>(json, ModelArchive.JsonOptions)!;
        Assert.AreEqual(LazySpec.Value, back);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void ADifferentOnnxFileIsRefusedWhenASpecIsLoaded()
    {
        var spec = LazySpec.Value with { ModelSha256 = new string('0', 64) };
        var e = Assert.ThrowsExactly<ModelFormatException>(() => spec.CreateEmbedder(FeaturizerContext.Default));
        StringAssert.Contains(e.Message, "not the encoder");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheContextModelFolderOverridesTheRecordedOne()
    {
        var spec = LazySpec.Value with { ModelDirectory = "/nonexistent/folder" };
        using var embedder = (OnnxSentenceEmbedder)spec.CreateEmbedder(new FeaturizerContext { ModelDirectory = MiniLmFixture.ModelDirectory });
        Assert.AreEqual(384, embedder.Embed("hello").Length);
        Assert.ThrowsExactly<FileNotFoundException>(() => spec.CreateEmbedder(FeaturizerContext.Default));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheContextChoosesTheExecutionProviderAndCudaNeedsTheGpuPackage()
    {
        var e = Assert.ThrowsExactly<MLNet.Rewards.Onnx.OnnxRuntimeException>(() => LazySpec.Value.CreateEmbedder(new FeaturizerContext { ExecutionProvider = MLNet.Rewards.Onnx.OnnxExecutionProvider.Cuda }));
        StringAssert.Contains(e.Message, $"{LazySpec.Value.ModelPath}: the CUDA execution provider is not available");
        string json = JsonSerializer.Serialize<FeaturizerSpec>(LazySpec.Value with { ExecutionProvider = MLNet.Rewards.Onnx.OnnxExecutionProvider.Cuda }, ModelArchive.JsonOptions);
        Assert.DoesNotContain("xecutionProvider", json, "the machine's provider is not saved with the model");
    }

    [TestMethod]
    public void BatchesAreSortedByLengthAndCoverEveryTextOnce()
    {
        int[][] ids = [[1, 2], [1, 2, 3, 4], [1], [1, 2, 3]];
        var batches = OnnxSentenceEmbedder.PlanBatches(ids, 3);
        Assert.HasCount(2, batches);
        CollectionAssert.AreEqual(new[] { 1, 3, 0 }, batches[0].Rows);
        Assert.AreEqual(4, batches[0].Length);
        CollectionAssert.AreEqual(new[] { 2 }, batches[1].Rows);
        Assert.AreEqual(1, batches[1].Length);
    }
}
