using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class EnsembleTests
{
    // Members 1, 2, 3, 6: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5.
    private static readonly float[] Members = [1f, 2f, 3f, 6f];

    [TestMethod]
    public void AggregationsMatchHandComputedValues()
    {
        double std = Math.Sqrt(3.5);
        Assert.AreEqual((3f, (float)std), EnsembleAggregator.Mean.Aggregate(Members));
        Assert.AreEqual(1f, EnsembleAggregator.Min.Aggregate(Members).Reward);
        Assert.AreEqual(3 - (2 * std), EnsembleAggregator.LowerConfidenceBound(2).Aggregate(Members).Reward, 1e-6);
        Assert.AreEqual(6f, EnsembleAggregator.Member(3).Aggregate(Members).Reward);
        Assert.AreEqual((5f, 0f), EnsembleAggregator.Mean.Aggregate([5f]));
    }

    [TestMethod]
    public void MatrixAggregationWorksColumnByColumn()
    {
        // Two members, three rows.
        var scores = new FloatMatrix(2, 3, [1f, 4f, -2f, 3f, 4f, 0f]);
        var result = RewardEnsemble.Aggregate(scores, EnsembleAggregator.Mean);
        CollectionAssert.AreEqual(new[] { 2f, 4f, -1f }, result.Rewards);
        CollectionAssert.AreEqual(new[] { 1f, 0f, 1f }, result.StdDevs);
        CollectionAssert.AreEqual(new[] { 1f, 4f, -2f }, RewardEnsemble.Aggregate(scores, EnsembleAggregator.Min).Rewards);
    }

    [TestMethod]
    public void BadAggregatorsAreRejected()
    {
        Assert.AreEqual("MemberIndex", Assert.ThrowsExactly<InvalidOptionException>(() => EnsembleAggregator.Member(4).Validate(4)).ParamName);
        Assert.AreEqual("Deviations", Assert.ThrowsExactly<InvalidOptionException>(() => EnsembleAggregator.LowerConfidenceBound(-1).Validate(4)).ParamName);
        Assert.ThrowsExactly<ArgumentException>(() => EnsembleAggregator.Mean.Aggregate([]));
        Assert.ThrowsExactly<ArgumentException>(() => new RewardEnsemble([new LinearRewardHead(3), new LinearRewardHead(4)]));
        Assert.AreEqual("Members", Assert.ThrowsExactly<InvalidOptionException>(() => new EnsembleTrainer(new EnsembleTrainerOptions { Members = 0 })).ParamName);
    }

    [TestMethod]
    public void MembersAreIdenticalWhateverTheParallelismAndDifferFromEachOther()
    {
        var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = 8, TrainPairs = 400, TestPairs = 10, Seed = 2 });
        var trainer = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [8] }, MaxEpochs = 3, Seed = 11 };
        var serial = new EnsembleTrainer(new EnsembleTrainerOptions { Trainer = trainer, Members = 3, MaxParallelMembers = 1 }).Fit(bench.Train).Ensemble;
        var parallel = new EnsembleTrainer(new EnsembleTrainerOptions { Trainer = trainer, Members = 3, MaxParallelMembers = 3 }).Fit(bench.Train).Ensemble;

        for (int m = 0; m < 3; m++)
        {
            CollectionAssert.AreEqual(serial.Members[m].Parameters, parallel.Members[m].Parameters, $"member {m}");
        }

        CollectionAssert.AreNotEqual(serial.Members[0].Parameters, serial.Members[1].Parameters);
    }

    [TestMethod]
    public void BootstrapSamplesDifferPerMemberAndSeedsOnlyUsesEveryPair()
    {
        var bootstrap = new EnsembleTrainer(new EnsembleTrainerOptions { Members = 2 });
        var a = bootstrap.MemberSample(0, 50);
        Assert.HasCount(50, a);
        Assert.IsTrue(a.All(i => i is >= 0 and < 50));
        CollectionAssert.AreNotEqual(a, bootstrap.MemberSample(1, 50));
        CollectionAssert.AreEqual(a, bootstrap.MemberSample(0, 50));
        var seedsOnly = new EnsembleTrainer(new EnsembleTrainerOptions { Members = 2, Resampling = EnsembleResampling.SeedsOnly });
        CollectionAssert.AreEqual(Enumerable.Range(0, 50).ToArray(), seedsOnly.MemberSample(1, 50));
    }

    [TestMethod]
    public void EnsembleModelSurvivesSaveAndLoad()
    {
        var embedder = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 16 });
        int dimension = ResponseFeatures.Dimension(FeatureLayout.Response, 16);
        var ensemble = new RewardEnsemble(
        [
            new MlpHeadSpec { HiddenSizes = [4] }.Create(dimension, 1),
            new MlpHeadSpec { HiddenSizes = [4] }.Create(dimension, 2),
            new PrototypeHeadSpec { Prototypes = 3 }.Create(dimension, 3),
        ]);
        var model = new EnsembleRewardModel(embedder, FeatureLayout.Response, ensemble, EnsembleAggregator.LowerConfidenceBound(1.5));
        string path = TestData.TempPath(".zip");
        try
        {
            model.Save(path);
            var loaded = EnsembleRewardModel.Load(path);
            Assert.AreEqual(model.Aggregator, loaded.Aggregator);
            Assert.AreEqual(new PrototypeHeadSpec { Prototypes = 3 }, loaded.Ensemble.Members[2].Spec);
            string[] prompts = ["p", "q"], responses = ["a response", "another"];
            var before = model.Score(prompts, responses);
            var after = loaded.Score(prompts, responses);
            CollectionAssert.AreEqual(before.Rewards, after.Rewards);
            CollectionAssert.AreEqual(before.StdDevs, after.StdDevs);
            Assert.IsTrue(before.StdDevs.All(s => s > 0));

            var scored = ((Scoring.IRewardScorer)RewardModel.Load(path)).Score(prompts, responses);
            CollectionAssert.AreEqual(before.Rewards, scored.Select(s => s.Reward).ToArray(), "the generic scorer uses the saved aggregation");
            CollectionAssert.AreEqual(before.StdDevs, scored.Select(s => s.Explanation![EnsembleRewardModel.StdDevKey]).ToArray());

            var wrongKind = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
            StringAssert.Contains(wrongKind.Message, "reward-ensemble");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void MissingMemberTensorIsReportedByName()
    {
        var contents = new ModelContents("x.zip", EnsembleRewardModel.ComponentName, [], new Dictionary<string, NamedTensor>
        {
            ["members.0.linear.weight"] = new NamedTensor("members.0.linear.weight", [3], new float[3]),
        });
        var e = Assert.ThrowsExactly<ModelFormatException>(() => RewardEnsemble.Import([new LinearHeadSpec(), new LinearHeadSpec()], 3, contents));
        StringAssert.Contains(e.Message, "members.1.linear.weight");
    }
}
