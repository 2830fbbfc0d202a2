using Microsoft.Extensions.AI;

namespace MLNet.Rewards.Extensions.AI.Tests;

[TestClass]
public sealed class RewardRankedChatClientTests
{
    private static readonly Dictionary<string, float> Rewards = new() { ["poor"] = -1f, ["good"] = 2f, ["fine"] = 0.5f, ["nan"] = float.NaN, ["great"] = 3f };

    private static readonly ChatMessage[] Conversation = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "How do I boil an egg?")];

    [TestMethod]
    public async Task ReturnsTheBestOfNWithEveryRewardInItsProperties()
    {
        var inner = new ScriptedChatClient("poor", "good", "fine");
        var scorer = new TableScorer(Rewards);
        using var client = inner.WithRewardRanking(scorer, new RewardRankingOptions { Candidates = 3 });

        var response = await client.GetResponseAsync(Conversation);

        Assert.AreEqual("good", response.Text);
        Assert.AreEqual(2f, response.AdditionalProperties![RewardProperties.Reward]);
        CollectionAssert.AreEquivalent(new[] { -1f, 2f, 0.5f }, (float[])response.AdditionalProperties[RewardProperties.CandidateRewards]!);
        Assert.AreEqual(1, response.AdditionalProperties[RewardProperties.Rounds]);
        Assert.AreEqual(false, response.AdditionalProperties[RewardProperties.Refused]);
        Assert.HasCount(3, inner.Requests);
        Assert.IsTrue(scorer.Seen.All(s => s.Prompt == "How do I boil an egg?"), "scored against the last user message");
    }

    [TestMethod]
    public async Task SeededRequestsAskEachCandidateWithItsOwnSeed()
    {
        var inner = new ScriptedChatClient("poor", "good", "fine", "great");
        using var client = inner.WithRewardRanking(new TableScorer(Rewards), new RewardRankingOptions { Candidates = 2, MinimumReward = 2.5f, MaxRounds = 2 });

        var response = await client.GetResponseAsync(Conversation, new ChatOptions { Seed = 10, Temperature = 0.8f });

        Assert.AreEqual("great", response.Text, "the second round reaches the minimum");
        Assert.AreEqual(2, response.AdditionalProperties![RewardProperties.Rounds]);
        CollectionAssert.AreEquivalent(new long?[] { 10, 11, 12, 13 }, inner.Requests.Select(o => o!.Seed).ToArray());
        Assert.IsTrue(inner.Requests.All(o => o!.Temperature == 0.8f));
    }

    [TestMethod]
    public async Task BelowTheMinimumItRefusesOrReturnsTheBestAsConfigured()
    {
        var refusing = new ScriptedChatClient("poor", "fine").WithRewardRanking(new TableScorer(Rewards), new RewardRankingOptions { Candidates = 2, MinimumReward = 1f, MaxRounds = 3, RefusalText = "No." });
        var refused = await refusing.GetResponseAsync(Conversation);
        Assert.AreEqual("No.", refused.Text);
        Assert.AreEqual(ChatFinishReason.ContentFilter, refused.FinishReason);
        Assert.AreEqual(true, refused.AdditionalProperties![RewardProperties.Refused]);
        Assert.AreEqual(3, refused.AdditionalProperties[RewardProperties.Rounds]);
        Assert.AreEqual(0.5f, refused.AdditionalProperties[RewardProperties.Reward]);
        Assert.HasCount(6, (float[])refused.AdditionalProperties[RewardProperties.CandidateRewards]!);

        var lenient = new ScriptedChatClient("poor", "fine").WithRewardRanking(new TableScorer(Rewards), new RewardRankingOptions { Candidates = 2, MinimumReward = 1f, BelowMinimum = BelowMinimumReward.ReturnBest });
        var best = await lenient.GetResponseAsync(Conversation);
        Assert.AreEqual("fine", best.Text);
        Assert.AreEqual(false, best.AdditionalProperties![RewardProperties.Refused]);
    }

    [TestMethod]
    public async Task ANanRewardNeverWins()
    {
        using var first = new ScriptedChatClient("nan", "poor").WithRewardRanking(new TableScorer(Rewards), new RewardRankingOptions { Candidates = 2 });
        Assert.AreEqual("poor", (await first.GetResponseAsync(Conversation)).Text);
        using var last = new ScriptedChatClient("poor", "nan").WithRewardRanking(new TableScorer(Rewards), new RewardRankingOptions { Candidates = 2 });
        Assert.AreEqual("poor", (await last.GetResponseAsync(Conversation)).Text);
    }

    [TestMethod]
    public async Task StreamingYieldsTheChosenAnswer()
    {
        using var client = new ScriptedChatClient("poor", "good").WithRewardRanking(new TableScorer(Rewards), new RewardRankingOptions { Candidates = 2 });
        var streamed = await client.GetStreamingResponseAsync(Conversation).ToChatResponseAsync();
        Assert.AreEqual("good", streamed.Text);
    }

    [TestMethod]
    public void BadOptionsAreRefusedWithTheOptionNamed()
    {
        var inner = new ScriptedChatClient("good");
        var scorer = new TableScorer(Rewards);
        Assert.AreEqual("Candidates", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => inner.WithRewardRanking(scorer, new RewardRankingOptions { Candidates = 0 })).ParamName);
        Assert.AreEqual("MaxRounds", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => inner.WithRewardRanking(scorer, new RewardRankingOptions { MaxRounds = 0 })).ParamName);
        Assert.AreEqual("MinimumReward", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => inner.WithRewardRanking(scorer, new RewardRankingOptions { MinimumReward = float.NaN })).ParamName);
    }
}
