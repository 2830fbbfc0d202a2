using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests.Generalist;

[TestClass]
public sealed class PairwiseLossColumnsTests
{
    private static PairwiseDataset Random(int pairs, int dimension, int seed)
    {
        var random = new SeededRandom(seed);
        var chosen = new FloatMatrix(pairs, dimension);
        var rejected = new FloatMatrix(pairs, dimension);
        for (int i = 0; i < chosen.Data.Length; i++)
        {
            chosen.Data[i] = (float)random.NextGaussian();
            rejected.Data[i] = (float)random.NextGaussian();
        }

        return new PairwiseDataset(chosen, rejected, [.. Enumerable.Range(0, pairs).Select(i => (ulong)i)]);
    }

    private static RewardHead Head(int dimension)
    {
        var head = new MlpHeadSpec { HiddenSizes = [5] }.Create(dimension, 3);
        var random = new SeededRandom(9);
        for (int i = 0; i < head.Parameters.Length; i++)
        {
            head.Parameters[i] = (float)(random.NextGaussian() * 0.5);
        }

        return head;
    }

    private static (double Loss, float[] Gradient) Compute(RewardHead head, PairwiseDataset data, double center)
    {
        var batch = new PairBatchGradient(head, data.Count);
        batch.Compute(data, [.. Enumerable.Range(0, data.Count)], 1f, labelSmoothing: 0, center);
        return (batch.Loss, (float[])batch.Gradient.Clone());
    }

    [TestMethod]
    public void LossWithWeightMarginAndCentringIsTheFormulaAndItsGradientMatchesFiniteDifferences()
    {
        var data = Random(3, 4, 1);
        data = new PairwiseDataset(data.Chosen, data.Rejected, data.Groups) { Weights = [1f, 0.5f, 2f], Margins = [0f, 1.5f, -0.7f] };
        var head = Head(4);
        const double Center = 0.3;

        var rewards = new float[6];
        head.Score(data.Chosen, rewards.AsSpan(0, 3));
        head.Score(data.Rejected, rewards.AsSpan(3, 3));
        double expected = 0;
        for (int i = 0; i < 3; i++)
        {
            double sum = rewards[i] + rewards[3 + i];
            expected += data.Weights![i] * (BradleyTerry.Loss(rewards[i] - rewards[3 + i] - data.Margins![i]).Loss + (Center * sum * sum));
        }

        var (loss, gradient) = Compute(head, data, Center);
        Assert.AreEqual(expected, loss, 1e-5);

        const float H = 1e-3f;
        for (int p = 0; p < head.Parameters.Length; p++)
        {
            float saved = head.Parameters[p];
            head.Parameters[p] = saved + H;
            double up = Compute(head, data, Center).Loss;
            head.Parameters[p] = saved - H;
            double down = Compute(head, data, Center).Loss;
            head.Parameters[p] = saved;
            Assert.AreEqual((up - down) / (2 * H), gradient[p], 2e-2, $"parameter {p}");
        }
    }

    [TestMethod]
    public void AWeightOfTwoIsThePairCountedTwiceAndAWeightOfZeroIsThePairLeftOut()
    {
        var data = Random(3, 4, 2);
        var head = Head(4);
        var weighted = new PairwiseDataset(data.Chosen, data.Rejected, data.Groups) { Weights = [2f, 0f, 1f] };
        var repeated = data.Subset([0, 0, 2]);

        var (weightedLoss, weightedGradient) = Compute(head, weighted, 0);
        var (repeatedLoss, repeatedGradient) = Compute(head, repeated, 0);
        Assert.AreEqual(repeatedLoss, weightedLoss, 1e-5);
        for (int p = 0; p < weightedGradient.Length; p++)
        {
            Assert.AreEqual(repeatedGradient[p], weightedGradient[p], 1e-5f);
        }
    }

    [TestMethod]
    public void SubsetsCarryWeightsAndMarginsAndBadColumnsAreRefused()
    {
        var data = Random(3, 2, 3);
        var full = new PairwiseDataset(data.Chosen, data.Rejected, data.Groups) { Weights = [1f, 2f, 3f], Margins = [0.1f, 0.2f, 0.3f] };
        var subset = full.Subset([2, 0]);
        CollectionAssert.AreEqual(new[] { 3f, 1f }, subset.Weights);
        CollectionAssert.AreEqual(new[] { 0.3f, 0.1f }, subset.Margins);

        var negative = new PairwiseDataset(data.Chosen, data.Rejected, data.Groups) { Weights = [1f, -1f, 1f] };
        Assert.ThrowsExactly<ArgumentException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 1 }).Fit(negative));
        var nan = new PairwiseDataset(data.Chosen, data.Rejected, data.Groups) { Margins = [0f, float.NaN, 0f] };
        Assert.ThrowsExactly<ArgumentException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 1 }).Fit(nan));
        Assert.ThrowsExactly<ArgumentException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs }).Fit(full));
        Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainerOptions { CenterRewardsCoefficient = -1 }.Validate());
        Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, CenterRewardsCoefficient = 0.1f }.Validate());
    }

    [TestMethod]
    public void CentringPullsTheMeanTrainingRewardTowardsZero()
    {
        // Every response has a constant feature that lets the head shift all rewards freely; only the penalty pins it.
        var data = Random(200, 3, 4);
        for (int i = 0; i < data.Count; i++)
        {
            data.Chosen.Row(i)[0] = 1f;
            data.Rejected.Row(i)[0] = 1f;
            data.Chosen.Row(i)[1] += 1f;
        }

        double MeanReward(float center)
        {
            var options = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 40, LearningRate = 0.05f, WeightDecay = 0, ValidationFraction = 0, CenterRewardsCoefficient = center, Seed = 1 };
            var head = new LinearHeadSpec().Create(3, 1);
            head.Parameters[0] = 3f;
            new PairwiseTrainer(options).Fit(head, data, null);
            return RewardStatistics.Of(head, data).Mean;
        }

        double without = MeanReward(0), with = MeanReward(1f);
        Assert.IsGreaterThan(1.0, Math.Abs(without), $"without centring the offset stays: mean {without}");
        Assert.IsLessThan(0.2, Math.Abs(with), $"with centring the mean reward is near 0: {with} (without: {without})");
    }

    [TestMethod]
    public void RewardStatisticsAreTheMeanAndPopulationStdOfEveryTrainingResponse()
    {
        var head = new LinearHeadSpec().Create(1, 0);
        head.Parameters[0] = 1f;
        var chosen = new FloatMatrix(2, 1);
        var rejected = new FloatMatrix(2, 1);
        chosen.Data[0] = 1; chosen.Data[1] = 3; rejected.Data[0] = 5; rejected.Data[1] = 7;
        var stats = RewardStatistics.Of(head, new PairwiseDataset(chosen, rejected, [0, 1]));
        Assert.AreEqual(4.0, stats.Mean, 1e-9);
        Assert.AreEqual(Math.Sqrt(5.0), stats.StandardDeviation, 1e-6);
        Assert.AreEqual(4, stats.Responses);
        Assert.AreEqual(1.0, stats.Normalize(4 + Math.Sqrt(5.0)), 1e-6);
    }
}
