using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Scoring;
using MLNet.Rewards.Tests;
using MLNet.Rewards.Training;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace MLNet.Rewards.Extensions.AI.Tests;

/// <summary>The local SmolLM2 chat client, the ranking middleware over it and the evaluator, with a real reward model zip.</summary>
[TestClass]
public sealed class LocalModelTests
{
    private static readonly Lazy<LocalChatClient> Local = new(() =>
        LocalChatClient.Load(SharedFiles.Model("SmolLM2-135M-Instruct-q4"), new CausalLanguageModelOptions { Threads = 2 }));

    private static readonly Lazy<IRewardScorer> RewardZip = new(() =>
    {
        var pairs = PreferencePairReader.ReadAll(SharedFiles.Data("hh-harmless-train-sample.jsonl.gz")).Take(300).ToList();
        var estimator = new PairwiseRewardEstimator(
            new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 256 }),
            new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 3, Seed = 2 });
        string path = Path.Combine(Path.GetTempPath(), $"mlnet-rewards-meai-{Environment.ProcessId}.zip");
        estimator.Fit(pairs).Save(path);
        IRewardScorer scorer = RewardModel.Load(path);
        File.Delete(path);
        return scorer;
    });

    private static readonly ChatMessage[] France = [new(ChatRole.User, "What is the capital of France?")];

    [TestMethod]
    [TestCategory("NeedsModels")]
    public async Task GreedyAnswerStreamsTheSameTextWithUsage()
    {
        var greedy = new ChatOptions { Temperature = 0, MaxOutputTokens = 12 };
        var response = await Local.Value.GetResponseAsync(France, greedy);
        StringAssert.Contains(response.Text, "Paris");
        Assert.AreEqual(ChatRole.Assistant, response.Messages[0].Role);
        Assert.IsGreaterThan(0L, response.Usage!.InputTokenCount!.Value);
        Assert.IsLessThanOrEqualTo(12L, response.Usage.OutputTokenCount!.Value);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Local.Value.GetStreamingResponseAsync(France, greedy))
        {
            updates.Add(update);
        }

        Assert.IsGreaterThan(2, updates.Count, "the answer arrives in pieces");
        var streamed = updates.ToChatResponse();
        Assert.AreEqual(response.Text, streamed.Text);
        Assert.AreEqual(response.FinishReason, streamed.FinishReason);
        Assert.AreEqual(response.Usage.OutputTokenCount, streamed.Usage!.OutputTokenCount);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public async Task RankingTheLocalModelReturnsItsBestCandidateByTheRewardZip()
    {
        var sampling = new ChatOptions { Temperature = 0.9f, MaxOutputTokens = 16, Seed = 3 };
        var candidates = await Local.Value.GetCandidatesAsync(France, 4, sampling);
        var rewards = RewardZip.Value.Score([.. candidates.Select(_ => France[0].Text)], [.. candidates.Select(c => c.Text)]).Select(s => s.Reward).ToArray();
        Assert.IsGreaterThan(1, candidates.Select(c => c.Text).Distinct().Count(), "four samples at temperature 0.9 should differ");

        var ranked = new RewardRankedChatClient(Local.Value, RewardZip.Value, new RewardRankingOptions { Candidates = 4 });
        var best = await ranked.GetResponseAsync(France, sampling);

        CollectionAssert.AreEqual(rewards, (float[])best.AdditionalProperties![RewardProperties.CandidateRewards]!, "one batched call with the request's seed");
        Assert.AreEqual(rewards.Max(), best.AdditionalProperties[RewardProperties.Reward]);
        Assert.AreEqual(candidates[Array.IndexOf(rewards, rewards.Max())].Text, best.Text);
    }

    [TestMethod]
    public async Task TheEvaluatorReportsTheZipRewardAndAVerdict()
    {
        var answer = new ChatResponse(new ChatMessage(ChatRole.Assistant, "The capital of France is Paris."));
        float expected = RewardZip.Value.Score([France[0].Text], [answer.Text])[0].Reward;

        var plain = await new RewardModelEvaluator(RewardZip.Value).EvaluateAsync(France, answer);
        var metric = plain.Get<NumericMetric>(RewardModelEvaluator.RewardMetricName);
        Assert.AreEqual((double)expected, metric.Value);
        Assert.IsNull(metric.Interpretation);

        var judged = await new RewardModelEvaluator(RewardZip.Value, new RewardEvaluatorOptions { PassingReward = expected + 1 }).EvaluateAsync(France, answer);
        var verdict = judged.Get<NumericMetric>(RewardModelEvaluator.RewardMetricName).Interpretation!;
        Assert.IsTrue(verdict.Failed);
        Assert.AreEqual(EvaluationRating.Unacceptable, verdict.Rating);
    }

    [TestMethod]
    public async Task TheEvaluatorTurnsAnExplanationIntoDiagnostics()
    {
        var scorer = new TableScorer(new Dictionary<string, float> { ["Paris."] = 1.5f });
        var result = await new RewardModelEvaluator(scorer, new RewardEvaluatorOptions { PassingReward = 1f }).EvaluateAsync(France, new ChatResponse(new ChatMessage(ChatRole.Assistant, "Paris.")));
        var metric = result.Get<NumericMetric>(RewardModelEvaluator.RewardMetricName);
        Assert.AreEqual(1.5, metric.Value);
        Assert.AreEqual("length = 6", metric.Diagnostics!.Single().Message);
        Assert.IsFalse(metric.Interpretation!.Failed);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public async Task UnsupportedRequestsAreRefusedClearly()
    {
        var tool = await Assert.ThrowsExactlyAsync<ArgumentException>(() => Local.Value.GetResponseAsync([new ChatMessage(ChatRole.Tool, "42")]));
        StringAssert.Contains(tool.Message, "message 0 has role 'tool'");
        var stop = await Assert.ThrowsExactlyAsync<NotSupportedException>(() => Local.Value.GetResponseAsync(France, new ChatOptions { StopSequences = ["."] }));
        StringAssert.Contains(stop.Message, "stop sequences");
        await Assert.ThrowsExactlyAsync<ArgumentException>(() => Local.Value.GetResponseAsync([]));
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Local.IsValueCreated)
        {
            Local.Value.Dispose();
        }
    }
}
