using MLNet.Rewards.Active;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class ActiveSelectionTests
{
    public static IEnumerable<object[]> Selectors => PairSelectors.All.Select(s => new object[] { s.Name });

    [TestMethod]
    [DynamicData(nameof(Selectors))]
    public void SelectorGivesDistinctInRangePairsAndIsSeeded(string name)
    {
        var selector = PairSelectors.ByName(name);
        var scores = new SeededRandom(3);
        for (int trial = 0; trial < 200; trial++)
        {
            int members = 1 + scores.Next(5), candidates = 2 + scores.Next(9);
            var matrix = new FloatMatrix(members, candidates);
            for (int i = 0; i < matrix.Data.Length; i++)
            {
                matrix.Data[i] = trial % 7 == 0 ? 1f : (float)scores.NextGaussian();
            }

            var pair = selector.Select(matrix, new SeededRandom(trial));
            Assert.AreNotEqual(pair.First, pair.Second);
            Assert.IsTrue(pair.First is >= 0 && pair.First < candidates && pair.Second is >= 0 && pair.Second < candidates, $"{pair} out of range for {candidates}");
            Assert.AreEqual(pair, selector.Select(matrix, new SeededRandom(trial)));
        }
    }

    [TestMethod]
    [DynamicData(nameof(Selectors))]
    public void SelectorRejectsFewerThanTwoCandidates(string name)
    {
        var selector = PairSelectors.ByName(name);
        Assert.ThrowsExactly<ArgumentException>(() => selector.Select(new FloatMatrix(3, 1), new SeededRandom(0)));
        Assert.ThrowsExactly<ArgumentException>(() => selector.Select(new FloatMatrix(0, 4), new SeededRandom(0)));
    }

    [TestMethod]
    public void HandComputedChoices()
    {
        // One member: Thompson takes its best and second best.
        var single = new FloatMatrix(1, 4, [0.5f, 3f, -1f, 2f]);
        Assert.AreEqual(new CandidatePair(1, 3), new ThompsonPairSelector().Select(single, new SeededRandom(1)));

        // Two members agree on candidates 0 and 1 but rank 2 and 3 in opposite ways: r_2 − r_3 is +10 or −10 (variance 100),
        // while r_0 − r_2 is −1 or 9 (variance 25).
        var scores = new FloatMatrix(2, 4, [4f, 1f, 5f, -5f, 4f, 1f, -5f, 5f]);
        Assert.AreEqual(new CandidatePair(2, 3), new UncertaintyPairSelector().Select(scores, new SeededRandom(0)));
        var maxVariance = new ThompsonMaxVariancePairSelector().Select(scores, new SeededRandom(0));
        Assert.AreEqual(maxVariance.First == 2 ? 3 : 2, maxVariance.Second);
    }

    [TestMethod]
    public void UnknownSelectorNameIsAClearError()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => PairSelectors.ByName("greedy"));
        StringAssert.Contains(e.Message, "thompson");
    }

    [TestMethod]
    public void OnlineLearnerLearnsAGoldenPreferenceDeterministically()
    {
        float[] golden = [1f, -2f, 0.5f, 0f];
        var (first, accuracy) = RunOnline(golden, anchor: 1e-3f);
        var (second, _) = RunOnline(golden, anchor: 1e-3f);
        for (int m = 0; m < first.Members.Count; m++)
        {
            CollectionAssert.AreEqual(first.Members[m].Parameters, second.Members[m].Parameters);
        }

        Assert.IsGreaterThan(0.85, accuracy, $"accuracy {accuracy:F3} after 60 labels");
    }

    [TestMethod]
    public void StrongAnchorKeepsMembersNearTheirStart()
    {
        float[] golden = [1f, -2f, 0.5f, 0f];
        var (free, _) = RunOnline(golden, anchor: 0f);
        var (anchored, _) = RunOnline(golden, anchor: 50f);
        var start = StartingEnsemble();
        double Drift(RewardEnsemble e) => e.Members.Select((m, i) => System.Numerics.Tensors.TensorPrimitives.Distance(m.Parameters, start.Members[i].Parameters)).Sum();
        Assert.IsLessThan(Drift(free) / 4, Drift(anchored));
    }

    [TestMethod]
    public void OnlineLearnerRejectsBadInput()
    {
        Assert.AreEqual("StepsPerLabel", Assert.ThrowsExactly<InvalidOptionException>(() => new OnlineEnsembleLearner(StartingEnsemble(), new OnlineLearningOptions { StepsPerLabel = 0 })).ParamName);
        var learner = new OnlineEnsembleLearner(StartingEnsemble());
        Assert.ThrowsExactly<ArgumentException>(() => learner.Update([1f, 2f], [1f, 2f, 3f, 4f]));
        Assert.ThrowsExactly<ArgumentException>(() => learner.Select(new FloatMatrix(3, 5), new RandomPairSelector()));
    }

    private static RewardEnsemble StartingEnsemble() =>
        new([.. Enumerable.Range(0, 4).Select(m => new MlpHeadSpec { HiddenSizes = [8] }.Create(4, m))]);

    private static (RewardEnsemble Ensemble, double Accuracy) RunOnline(float[] golden, float anchor)
    {
        var learner = new OnlineEnsembleLearner(StartingEnsemble(), new OnlineLearningOptions { Seed = 4, AnchorStrength = anchor, LearningRate = 1e-2f });
        var random = new SeededRandom(8);
        FloatMatrix Candidates(int n)
        {
            var m = new FloatMatrix(n, 4);
            for (int i = 0; i < m.Data.Length; i++)
            {
                m.Data[i] = (float)random.NextGaussian();
            }

            return m;
        }

        float Golden(ReadOnlySpan<float> x) => System.Numerics.Tensors.TensorPrimitives.Dot(x, golden);
        for (int label = 0; label < 60; label++)
        {
            var candidates = Candidates(6);
            var pair = learner.Select(candidates, new ThompsonPairSelector());
            var a = candidates.Row(pair.First);
            var b = candidates.Row(pair.Second);
            if (Golden(a) >= Golden(b))
            {
                learner.Update(a, b);
            }
            else
            {
                learner.Update(b, a);
            }
        }

        var test = Candidates(400);
        var scores = learner.Ensemble.Score(test, EnsembleAggregator.Mean).Rewards;
        int correct = 0;
        for (int i = 0; i < 400; i += 2)
        {
            correct += (Golden(test.Row(i)) >= Golden(test.Row(i + 1))) == (scores[i] >= scores[i + 1]) ? 1 : 0;
        }

        Assert.AreEqual(60, learner.LabelCount);
        return (learner.Ensemble, correct / 200.0);
    }
}
