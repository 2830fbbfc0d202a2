using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class BestOfNSelectorTests
{
    [TestMethod]
    [TestCategory("NeedsModels")]
    public void RanksTheGeneratedCandidatesByRewardBestFirst()
    {
        var generator = new TextGenerator(SmolLm.Model);
        var options = new SamplingOptions { Temperature = 1f, TopK = 50, MaxNewTokens = 8, Seed = 3 };
        var selector = new BestOfNSelector(generator, new LengthScorer());
        var result = selector.Generate([ChatMessage.User("Say something.")], "Say something.", 4, options);
        var plain = generator.Generate([ChatMessage.User("Say something.")], 4, options);

        Assert.HasCount(4, result.Ranked);
        CollectionAssert.AreEquivalent(plain.Candidates.Select(c => c.Text).ToArray(), result.Ranked.Select(r => r.Candidate.Text).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, result.Ranked.Select(r => r.Rank).ToArray());
        for (int i = 1; i < 4; i++)
        {
            Assert.IsTrue(result.Ranked[i - 1].Score.Reward >= result.Ranked[i].Score.Reward);
        }

        Assert.AreEqual(result.Ranked.Max(r => r.Candidate.Text.Length), result.Best.Candidate.Text.Length);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void BestOfTheFirstKCandidatesIsWhatBestOfKReturns()
    {
        var generator = new TextGenerator(SmolLm.Model);
        var options = new SamplingOptions { Temperature = 1f, TopK = 50, MaxNewTokens = 8, Seed = 5 };
        var selector = new BestOfNSelector(generator, new LengthScorer());
        ChatMessage[] chat = [ChatMessage.User("Name a colour.")];
        var six = selector.Generate(chat, "Name a colour.", 6, options);
        var three = selector.Generate(chat, "Name a colour.", 3, options);

        Assert.AreEqual(three.Best.Candidate.Text, six.BestOfFirst(3).Candidate.Text);
        Assert.AreEqual(three.Best.Score.Reward, six.BestOfFirst(3).Score.Reward);
        Assert.AreEqual(six.Best, six.BestOfFirst(6));
        Assert.AreEqual(0, six.BestOfFirst(1).Candidate.Candidate);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => six.BestOfFirst(7));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => six.BestOfFirst(0));
    }

    [TestMethod]
    public void ASavedPairwiseModelLoadsAsAScorerAndOtherZipsAreRefused()
    {
        var embedder = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 64 });
        var head = new LinearRewardHead(ResponseFeatures.Dimension(FeatureLayout.Response, 64));
        for (int i = 0; i < head.Parameters.Length; i++)
        {
            head.Parameters[i] = (i % 7) - 3;
        }

        var model = new PairwiseRewardModel(embedder, FeatureLayout.Response, head);
        string path = TestData.TempPath(".zip");
        model.Save(path);
        IRewardScorer scorer = RewardModel.Load(path);
        var scores = scorer.Score(["p", "p"], ["a short answer", "a different, longer answer"]);
        Assert.AreEqual(model.Score("p", "a short answer"), scores[0].Reward);
        Assert.AreEqual(model.Score("p", "a different, longer answer"), scores[1].Reward);
        StringAssert.Contains(scorer.Description, "pairwise-reward");

        string other = TestData.TempPath(".zip");
        ModelArchive.Save(other, "something-else", [], []);
        StringAssert.Contains(Assert.ThrowsExactly<ModelFormatException>(() => RewardModel.Load(other)).Message, "does not score responses");
    }

    private sealed class LengthScorer : IRewardScorer
    {
        public string Description => "length";

        public IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
            [.. responses.Select(r => new RewardScore(r.Length))];
    }
}
