using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Storage;
using MLNet.Rewards.Tests.Generation;

namespace MLNet.Rewards.Tests.Featurization;

[TestClass]
public sealed class ChatHiddenStateEmbedderTests
{
    private static readonly Lazy<ChatHiddenStateFeaturizerSpec> BaseSpec = new(() => ChatHiddenStateFeaturizerSpec.FromModelDirectory(SmolLmFixture.Folder) with { Threads = 2 });

    private static ChatHiddenStateEmbedder Create(Func<ChatHiddenStateFeaturizerSpec, ChatHiddenStateFeaturizerSpec>? change = null) =>
        new((change ?? (s => s))(BaseSpec.Value));

    [TestMethod]
    public void ConversationTextsRoundTripAndPlainTextsArePrompts()
    {
        Assert.AreEqual(("Hi\u0001 there", (string?)"yes 12"), ConversationText.Parse(ConversationText.Of("Hi\u0001 there", "yes 12")));
        Assert.AreEqual(("", (string?)""), ConversationText.Parse(ConversationText.Of("", "")));
        Assert.AreEqual(("Hi", (string?)null), ConversationText.Parse(ConversationText.PromptOnly("Hi")));
        Assert.AreEqual(("plain", (string?)null), ConversationText.Parse("plain"));
        Assert.AreNotEqual(ConversationText.Of("ab", "c"), ConversationText.Of("a", "bc"));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheLastTokenVectorIsTheFullModelsStateAtTheEndOfTurnTokenWhateverTheBatch()
    {
        using var embedder = Create();
        Assert.IsTrue(embedder.Model.HiddenStatesOnly, "the featurizer loads the graph without its output projection");
        var model = SmolLm.Model;
        string[] texts = [ConversationText.Of("What is 2 + 2?", "4."), ConversationText.Of("Name a colour.", "Blue is a colour that many people like a lot."), ConversationText.PromptOnly("Hello")];
        var batched = embedder.EmbedAll(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var ids = embedder.Encode(texts[i]);
            var (hidden, _) = model.Forward(ids);
            var expected = hidden.Row(ids.Length - 1).ToArray();
            var actual = batched.Row(i).ToArray();
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.AreEqual(expected[k], actual[k], 2e-3f, $"text {i}, component {k}");
            }
        }

        var conversation = embedder.Encode(texts[0]);
        Assert.AreEqual(model.EndOfTurnTokenId, conversation[^1], "a response ends on its end-of-turn token");
        var prompt = embedder.Encode(texts[2]);
        CollectionAssert.AreEqual(model.EncodeChat([ChatMessage.User("Hello")]), prompt, "a prompt alone is the template's prompt for the assistant turn");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void MeanPoolingAveragesEveryTokenAndBothConcatenatesLastAndMean()
    {
        using var both = Create(s => s with { Pooling = ChatStatePooling.LastTokenAndMean });
        string text = ConversationText.Of("Say hi.", "Hi!");
        var ids = both.Encode(text);
        var (hidden, _) = SmolLm.Model.Forward(ids);
        var vector = both.Embed(text);
        Assert.AreEqual(2 * hidden.Columns, vector.Length);
        for (int k = 0; k < hidden.Columns; k += 37)
        {
            double mean = Enumerable.Range(0, ids.Length).Average(t => hidden.Row(t)[k]);
            Assert.AreEqual(hidden.Row(ids.Length - 1)[k], vector[k], 2e-3f);
            Assert.AreEqual(mean, vector[hidden.Columns + k], 2e-3);
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TheFeaturizersModelRefusesToGenerateAndNamesTheLoaderThatCan()
    {
        using var embedder = Create();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => embedder.Model.Forward([1, 2, 3]));
        StringAssert.Contains(e.Message, "hidden states only");
        StringAssert.Contains(e.Message, "CausalLanguageModel.Load");
        Assert.IsFalse(SmolLm.Model.HiddenStatesOnly);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void LongConversationsAreCutLeftOrRightOrRefusedAndCounted()
    {
        string text = ConversationText.Of(string.Join(' ', Enumerable.Repeat("word", 40)), "short answer");
        using var left = Create(s => s with { MaxTokens = 48 });
        using var right = Create(s => s with { MaxTokens = 48, LongInputs = LongInputPolicy.TruncateRight });
        using var drop = Create(s => s with { MaxTokens = 48, LongInputs = LongInputPolicy.Drop });
        var full = left.EncodeFull(text);
        Assert.IsGreaterThan(48, full.Length);
        CollectionAssert.AreEqual(full[^48..], left.Encode(text));
        CollectionAssert.AreEqual(full[..48], right.Encode(text));
        Assert.ThrowsExactly<LongInputException>(() => drop.Embed(text));
        Assert.IsFalse(drop.Fits(string.Join(' ', Enumerable.Repeat("word", 40)), "short answer"));
        Assert.IsTrue(drop.Fits("Hi", "Yo"));

        left.Embed(text);
        Assert.AreEqual(1, left.Statistics.Texts);
        Assert.AreEqual(48, left.Statistics.Tokens);
        Assert.IsGreaterThanOrEqualTo(1, left.Statistics.Truncated);
    }

    [TestMethod]
    public void BatchesHoldAtMostTheTokenBudgetLongestFirstAndALongerRowRunsAlone()
    {
        int[][] ids = [new int[3], new int[10], new int[4], new int[2], new int[30]];
        var batches = ChatHiddenStateEmbedder.PlanBatches(ids, batchTokens: 12);
        CollectionAssert.AreEqual(new[] { 4 }, batches[0].Rows);
        CollectionAssert.AreEqual(new[] { 1 }, batches[1].Rows);
        CollectionAssert.AreEqual(new[] { 2, 0, 3 }, batches[2].Rows);
        Assert.IsTrue(batches.All(b => b.Rows.Length == 1 || b.Rows.Length * b.Length <= 12));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void AModelZipOverTheChatFeaturizerReloadsAndScoresTheSameThroughAStore()
    {
        string zip = Path.Combine(Path.GetTempPath(), $"chat-{Guid.NewGuid():N}.zip");
        string storePath = Path.Combine(Path.GetTempPath(), $"chat-{Guid.NewGuid():N}.sqlite");
        try
        {
            using var embedder = Create();
            var head = new LinearHeadSpec().Create(embedder.Dimension, 1);
            for (int i = 0; i < head.Parameters.Length; i++)
            {
                head.Parameters[i] = ((i % 5) - 2) * 0.01f;
            }

            var model = new PairwiseRewardModel(embedder, FeatureLayout.Response, head);
            float direct = model.Score("Is water wet?", "Yes, in everyday terms.");
            model.Save(zip);

            var loaded = PairwiseRewardModel.Load(zip);
            using (loaded.Embedder as IDisposable)
            using (var store = EmbeddingStore.Open(storePath))
            {
                Assert.IsInstanceOfType<ChatHiddenStateFeaturizerSpec>(loaded.Embedder.Spec);
                var cached = new CachedTextEmbedder(loaded.Embedder, store);
                var throughStore = new PairwiseRewardModel(cached, loaded.Layout, loaded.Head);
                Assert.AreEqual(direct, throughStore.Score("Is water wet?", "Yes, in everyday terms."), 1e-5f);
                Assert.AreEqual(direct, throughStore.Score("Is water wet?", "Yes, in everyday terms."), 1e-5f);
                Assert.AreEqual(1, cached.Computed, "one conversation computed (the layout needs no prompt vector), then read back");
                Assert.AreEqual(1, cached.Hits);
            }
        }
        finally
        {
            File.Delete(zip);
            File.Delete(storePath);
        }
    }
}
