using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class EndToEndTests
{
    [TestMethod]
    public void TrainsOnASliceOfSharedDataSavesReloadsAndEvaluates()
    {
        var train = TestData.SharedPairs("alpaca-eval-train.jsonl.gz", 1500);
        var test = TestData.SharedPairs("alpaca-eval-test.jsonl.gz", 400);
        var estimator = new PairwiseRewardEstimator(
            new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 256 }),
            new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 10, LearningRate = 0.01f, Seed = 2 });
        var model = estimator.Fit(train);
        string path = TestData.TempPath(".zip");
        model.Save(path);
        var loaded = PairwiseRewardModel.Load(path);
        var (chosen, rejected) = loaded.ScorePairs(test);
        var report = new PairwiseEvaluator().Evaluate(test, chosen, rejected);
        // AlpacaEval's reference response wins most pairs; a learned reward clearly beats chance on held-out models.
        Assert.IsGreaterThan(0.6, report.Overall.Accuracy, $"accuracy {report.Overall.Accuracy}");
        Assert.AreEqual(400, report.Overall.Count);
    }

    [TestMethod]
    public void ScoringOneResponseMatchesBatchScoring()
    {
        var pairs = TestData.SharedPairs("hh-harmless-train-sample.jsonl.gz", 100);
        var model = new PairwiseRewardEstimator(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 64 }), new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 2 }).Fit(pairs);
        var batch = model.Score([.. pairs.Select(p => p.Prompt)], [.. pairs.Select(p => p.Chosen)]);
        Assert.AreEqual(batch[7], model.Score(pairs[7].Prompt, pairs[7].Chosen));
    }
}
