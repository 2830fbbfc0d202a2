using MLNet.Rewards.Guidance;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Tests.Generation;

namespace MLNet.Rewards.Tests.Guidance;

[TestClass]
public sealed class ArmFeatureStoreTests
{
    private static readonly ArmFeatureOptions Small = new() { TopK = 6, MaxPromptTokens = 48, MaxResponseTokens = 6 };

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void StoredFeaturesLoadBackIdenticalAndOnlyForTheSameSettings()
    {
        var model = SmolLm.Model;
        var extractor = new ArmFeatureExtractor(model, Small);
        var first = extractor.Extract("How do I boil an egg?", "Put it in boiling water for eight minutes.");
        var second = extractor.Extract("\n\nHuman: Hi\n\nAssistant:", "Hello! How can I help you today?");
        string path = TestData.TempPath(".zip");
        ArmFeatureStore.Save(path, extractor);

        var reloaded = new ArmFeatureExtractor(model, Small);
        Assert.AreEqual(2, ArmFeatureStore.Load(path, reloaded));
        var head = new AutoregressiveRewardModel("p", 2, model.Shape.HiddenSize, model.Shape.VocabularySize, Small.TopK, seed: 3);
        foreach (var (prompt, response, original) in new[] { ("How do I boil an egg?", "Put it in boiling water for eight minutes.", first), ("\n\nHuman: Hi\n\nAssistant:", "Hello! How can I help you today?", second) })
        {
            var loaded = reloaded.Extract(prompt, response);
            CollectionAssert.AreEqual(original.Hidden, loaded.Hidden);
            CollectionAssert.AreEqual(original.CandidateIds, loaded.CandidateIds);
            CollectionAssert.AreEqual(original.CandidateLogits, loaded.CandidateLogits);
            CollectionAssert.AreEqual(original.LogRest, loaded.LogRest);
            CollectionAssert.AreEqual(original.Targets, loaded.Targets);
            CollectionAssert.AreEqual(original.TargetSlots, loaded.TargetSlots);
            Assert.AreEqual(head.Reward(original), head.Reward(loaded));
        }

        Assert.AreEqual(0, ArmFeatureStore.Load(path, new ArmFeatureExtractor(model, Small with { MaxResponseTokens = 7 })));
        string other = TestData.TempPath(".zip");
        ModelArchive.Save(other, "pairwise-reward", [], []);
        Assert.ThrowsExactly<ModelFormatException>(() => ArmFeatureStore.Load(other, reloaded));
    }
}
