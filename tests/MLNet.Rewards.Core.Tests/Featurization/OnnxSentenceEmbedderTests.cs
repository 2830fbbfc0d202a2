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
    public void Spec_is_read_from_the_model_folder()
    {
        var spec = LazySpec.Value;
        Assert.AreEqual(384, spec.Dimension);
        Assert.AreEqual(SentencePooling.Mean, spec.Pooling);
        Assert.IsTrue(spec.Normalize);
        Assert.AreEqual(256, spec.MaxLength);
        Assert.AreEqual(64, spec.ModelSha256.Length);
    }

    [TestMethod]
    public void Embeddings_match_sentence_transformers_on_every_fixture_text()
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
    public void Batching_does_not_change_the_vectors()
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
    public void Spec_round_trips_through_json_as_a_featurizer_spec()
    {
        string json = JsonSerializer.Serialize<FeaturizerSpec>(LazySpec.Value, ModelArchive.JsonOptions);
        StringAssert.Contains(json, "\"kind\": \"onnx-sentence\"");
        var back = (OnnxSentenceFeaturizerSpec)JsonSerializer.Deserialize<FeaturizerSpec>(json, ModelArchive.JsonOptions)!;
        Assert.AreEqual(LazySpec.Value, back);
    }

    [TestMethod]
    public void A_different_onnx_file_is_refused_when_a_spec_is_loaded()
    {
        var spec = LazySpec.Value with { ModelSha256 = new string('0', 64) };
        var e = Assert.ThrowsExactly<ModelFormatException>(() => spec.CreateEmbedder(FeaturizerContext.Default));
        StringAssert.Contains(e.Message, "not the encoder");
    }

    [TestMethod]
    public void The_context_model_folder_overrides_the_recorded_one()
    {
        var spec = LazySpec.Value with { ModelDirectory = "/nonexistent/folder" };
        using var embedder = (OnnxSentenceEmbedder)spec.CreateEmbedder(new FeaturizerContext { ModelDirectory = MiniLmFixture.ModelDirectory });
        Assert.AreEqual(384, embedder.Embed("hello").Length);
        Assert.ThrowsExactly<FileNotFoundException>(() => spec.CreateEmbedder(FeaturizerContext.Default));
    }

    [TestMethod]
    public void The_context_chooses_the_execution_provider_and_cuda_needs_the_gpu_package()
    {
        var e = Assert.ThrowsExactly<MLNet.Rewards.Onnx.OnnxRuntimeException>(() => LazySpec.Value.CreateEmbedder(new FeaturizerContext { ExecutionProvider = MLNet.Rewards.Onnx.OnnxExecutionProvider.Cuda }));
        StringAssert.Contains(e.Message, $"{LazySpec.Value.ModelPath}: the CUDA execution provider is not available");
        string json = JsonSerializer.Serialize<FeaturizerSpec>(LazySpec.Value with { ExecutionProvider = MLNet.Rewards.Onnx.OnnxExecutionProvider.Cuda }, ModelArchive.JsonOptions);
        Assert.DoesNotContain("xecutionProvider", json, "the machine's provider is not saved with the model");
    }

    [TestMethod]
    public void Batches_are_sorted_by_length_and_cover_every_text_once()
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
