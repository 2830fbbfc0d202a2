using MLNet.Rewards.Evaluation;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Tests.MultiObjective;

[TestClass]
public sealed class GateAndDecorrelationTests
{
    [TestMethod]
    public void GateWeightsAreNonNegativeAndSumToOne()
    {
        var gate = new GatingRewardHead(new GatingHeadSpec { ObjectiveCount = 4, HiddenSizes = [16, 8], Temperature = 0.3f }, 10 + 4, seed: 2);
        var random = new SeededRandom(9);
        var prompts = new FloatMatrix(50, 10);
        for (int i = 0; i < prompts.Data.Length; i++)
        {
            prompts.Data[i] = (float)(3 * random.NextGaussian());
        }

        var weights = gate.Weights(prompts);
        for (int i = 0; i < weights.Rows; i++)
        {
            var row = weights.Row(i).ToArray();
            Assert.IsTrue(row.All(w => w >= 0), $"row {i} has a negative weight");
            Assert.AreEqual(1.0, row.Sum(), 1e-5, $"row {i}");
        }
    }

    [TestMethod]
    public void GateRewardIsBetaTimesTheWeightedSum()
    {
        var gate = new GatingRewardHead(new GatingHeadSpec { ObjectiveCount = 3, HiddenSizes = [5] }, 4 + 3, seed: 1);
        gate.Parameters[^1] = MathF.Log(2f);
        float[] row = [0.3f, -1f, 0.5f, 2f, 1f, -1f, 4f];
        var weights = gate.Weights(new FloatMatrix(1, 4, row[..4])).Row(0).ToArray();
        float expected = 2f * ((weights[0] * 1f) + (weights[1] * -1f) + (weights[2] * 4f));
        Assert.AreEqual(2f, gate.Beta, 1e-6);
        Assert.AreEqual(expected, gate.Score(row), 1e-5);
    }

    [TestMethod]
    public void WithOneObjectiveTheGateIsBetaTimesThatObjective()
    {
        var gate = new GatingRewardHead(new GatingHeadSpec { ObjectiveCount = 1, HiddenSizes = [7, 7] }, 5 + 1, seed: 3);
        Assert.AreEqual(1f, gate.Weights(new FloatMatrix(1, 5, [1, 2, 3, 4, 5])).Row(0)[0]);
        Assert.AreEqual(-2.5f * gate.Beta, gate.Score([1, 2, 3, 4, 5, -2.5f]), 1e-6);
    }

    [TestMethod]
    public void GateGradientMatchesFiniteDifference()
        => BradleyTerryGradientTests.CheckHeadGradient(new GatingHeadSpec { ObjectiveCount = 3, HiddenSizes = [6, 5], Temperature = 2f }.Create(4 + 3, 3));

    [TestMethod]
    public void GateSpecRejectsBadSettings()
    {
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOptionException>(() => new GatingHeadSpec { ObjectiveCount = 2, Temperature = 0 }.Create(10, 0)).Message, "Temperature must be a positive number");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidOptionException>(() => new MultiObjectiveTrainerOptions { MaxVerbositySpearman = 1.5 }.Validate()).Message, "MaxVerbositySpearman must be in (0, 1)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new GatingHeadSpec { ObjectiveCount = 4 }.Create(4, 0)).Message, "need more than 4 columns");
    }

    [TestMethod]
    [DataRow(0.9, 7L)]
    [DataRow(-0.6, 8L)]
    [DataRow(0.2, 9L)]
    public void DecorrelationMeetsTheBoundOnItsReferenceSet(double lengthWeight, long seed)
    {
        var random = new SeededRandom(seed);
        var verbosity = Enumerable.Range(0, 2000).Select(_ => random.NextGaussian()).ToArray();
        var rewards = verbosity.Select(v => (lengthWeight * v) + (0.5 * random.NextGaussian()) + (0.3 * v * v)).ToArray();
        var result = VerbosityDecorrelation.FindLambda(rewards, verbosity, 0.03);
        Assert.IsTrue(Math.Abs(result.SpearmanBefore) > 0.03, $"the test needs a correlated start ({result.SpearmanBefore})");
        var corrected = rewards.Select((r, i) => r - (result.Lambda * verbosity[i])).ToArray();
        double after = Statistics.Spearman(corrected, verbosity);
        Assert.AreEqual(result.SpearmanAfter, after, 1e-12);
        Assert.IsTrue(Math.Abs(after) <= 0.03, $"|Spearman| after decorrelation is {after}");
        Assert.AreEqual(Math.Sign(result.SpearmanBefore), Math.Sign(result.Lambda));
    }

    [TestMethod]
    public void DecorrelationLeavesAnUncorrelatedObjectiveAlone()
    {
        double[] verbosity = [1, 2, 3, 4, 5, 6];
        double[] rewards = [3, 1, 6, 2, 5, 4];
        var result = VerbosityDecorrelation.FindLambda(rewards, verbosity, 0.5);
        Assert.AreEqual(0.0, result.Lambda);
    }
}
