using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Tests.MultiObjective;

[TestClass]
public sealed class ScalarizerTests
{
    private static readonly float[] Values = [1f, -2f, 3f];

    [TestMethod]
    public void LinearIsTheWeightedSum() => Assert.AreEqual((0.5 * 1) + (2 * -2) + (-1 * 3), new LinearScalarizer { Weights = [0.5f, 2f, -1f] }.Combine(Values), 1e-6);

    [TestMethod]
    public void MinIsTheWorstObjective() => Assert.AreEqual(-2f, new MinScalarizer().Combine(Values));

    [TestMethod]
    public void SoftMinWeighsTowardsTheWorst()
    {
        // p = softmax(-r / T) with T = 1: e^-1, e^2, e^-3 normalised.
        double[] e = [Math.Exp(-1), Math.Exp(2), Math.Exp(-3)];
        double expected = ((e[0] * 1) + (e[1] * -2) + (e[2] * 3)) / e.Sum();
        Assert.AreEqual(expected, new SoftMinScalarizer { Temperature = 1f }.Combine(Values), 1e-5);
        Assert.AreEqual(-2f, new SoftMinScalarizer { Temperature = 0.01f }.Combine(Values), 1e-4, "T -> 0 gives the minimum");
        Assert.AreEqual(2f / 3f, new SoftMinScalarizer { Temperature = 1e4f }.Combine(Values), 1e-3, "T -> infinity gives the mean");
    }

    [TestMethod]
    public void MeanVarianceSubtractsKTimesThePopulationVariance()
    {
        // mean 2/3; variance ((1/3)^2 + (8/3)^2 + (7/3)^2) / 3 = 114/27
        Assert.AreEqual((2.0 / 3) - (0.5 * 114.0 / 27), new MeanVarianceScalarizer { VariancePenalty = 0.5f }.Combine(Values), 1e-5);
        Assert.AreEqual(2.0 / 3, new MeanVarianceScalarizer { VariancePenalty = 0f }.Combine(Values), 1e-6);
    }

    [TestMethod]
    [DataRow(0f, -2.0)]
    [DataRow(0.25f, -0.5)]
    [DataRow(0.5f, 1.0)]
    [DataRow(1f, 3.0)]
    public void LowerQuantileInterpolatesTheSortedValues(float q, double expected)
        => Assert.AreEqual(expected, new LowerQuantileScalarizer { Quantile = q }.Combine(Values), 1e-6);

    [TestMethod]
    public void ProductIsTheLogOfTheProductOfSigmoids()
    {
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        double expected = Math.Log(Sigmoid(1) * Sigmoid(-2) * Sigmoid(3));
        Assert.AreEqual(expected, new ProductScalarizer().Combine(Values), 1e-6);
    }

    [TestMethod]
    public void ParseReadsEveryForm()
    {
        Assert.AreEqual(new GateCombination(), RewardCombination.Parse("gate"));
        Assert.AreEqual(new MinScalarizer(), RewardCombination.Parse("min"));
        Assert.AreEqual(new ProductScalarizer(), RewardCombination.Parse("product"));
        Assert.AreEqual(new SoftMinScalarizer { Temperature = 0.5f }, RewardCombination.Parse("soft-min:0.5"));
        Assert.AreEqual(new MeanVarianceScalarizer { VariancePenalty = 2f }, RewardCombination.Parse("mean-variance:2"));
        Assert.AreEqual(new LowerQuantileScalarizer { Quantile = 0.1f }, RewardCombination.Parse("lower-quantile:0.1"));
        var linear = (LinearScalarizer)RewardCombination.Parse("linear:1,-0.5");
        CollectionAssert.AreEqual(new[] { 1f, -0.5f }, linear.Weights.ToArray());
    }

    [TestMethod]
    [DataRow("median", "is not a reward combination")]
    [DataRow("soft-min:warm", "'warm' is not a number")]
    [DataRow("soft-min:0", "temperature must be a positive number")]
    [DataRow("lower-quantile:1.5", "quantile must be in [0, 1]")]
    [DataRow("linear", "is not a reward combination")]
    public void ParseRejectsBadText(string text, string expected)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => RewardCombination.Parse(text));
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void LinearWeightsMustMatchTheObjectiveCount()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new LinearScalarizer { Weights = [1f, 2f] }.Validate(3));
        StringAssert.Contains(e.Message, "2 weights but the model has 3 objectives");
    }
}
