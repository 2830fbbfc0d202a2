using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class EvaluatorTests
{
    [TestMethod]
    public void AccuracyLogLossAndPerSourceOnAHandComputedCase()
    {
        List<PreferencePair> pairs =
        [
            new("1", "a", "p", "long answer", "short"),
            new("2", "a", "p", "x", "yy"),
            new("3", "b", "p", "same", "tied"),
            new("4", "b", "p", "ok", "no!"),
        ];
        float[] chosen = [2f, 0f, 1f, 3f];
        float[] rejected = [1f, 1f, 1f, 0f];
        var report = new PairwiseEvaluator().Evaluate(pairs, chosen, rejected);
        Assert.AreEqual((1 + 0 + 0.5 + 1) / 4.0, report.Overall.Accuracy, 1e-12);
        double expectedLoss = (Softplus(-1) + Softplus(1) + Softplus(0) + Softplus(-3)) / 4;
        Assert.AreEqual(expectedLoss, report.LogLoss, 1e-12);
        Assert.AreEqual(0.5, report.PerSource["a"].Accuracy, 1e-12);
        Assert.AreEqual(0.75, report.PerSource["b"].Accuracy, 1e-12);
        Assert.IsTrue(report.Overall.Low <= report.Overall.Accuracy && report.Overall.Accuracy <= report.Overall.High);
    }

    [TestMethod]
    public void LengthCorrelationIsOneForALengthReward()
    {
        var pairs = Enumerable.Range(1, 20).Select(i => new PreferencePair($"{i}", "s", "p", new string('a', i * 3), new string('b', i))).ToList();
        var report = new PairwiseEvaluator().Evaluate(pairs, [.. pairs.Select(p => (float)p.Chosen.Length)], [.. pairs.Select(p => (float)p.Rejected.Length)]);
        Assert.AreEqual(1.0, report.LengthSpearman, 1e-12);
        Assert.AreEqual(1.0, report.Overall.Accuracy);
    }

    [TestMethod]
    public void LengthStrataSplitByTheLongerResponseAndLeaveEqualLengthsOut()
    {
        // Pairs 1 and 4: chosen longer; 2 and 5: chosen shorter; 3: equal lengths (in neither part).
        List<PreferencePair> pairs =
        [
            new("1", "s", "p", "long answer", "short"),
            new("2", "s", "p", "x", "yy"),
            new("3", "s", "p", "same", "tied"),
            new("4", "s", "p", "okay", "no"),
            new("5", "s", "p", "a", "bbb"),
        ];
        float[] chosen = [2f, 0f, 5f, 1f, 4f];
        float[] rejected = [1f, 1f, 0f, 1f, 0f];
        var strata = new PairwiseEvaluator().Evaluate(pairs, chosen, rejected).ByLength;
        Assert.AreEqual(2, strata.ChosenLonger.Count);
        Assert.AreEqual((1 + 0.5) / 2, strata.ChosenLonger.Accuracy, 1e-12);
        Assert.AreEqual(2, strata.ChosenShorter.Count);
        Assert.AreEqual((0 + 1) / 2.0, strata.ChosenShorter.Accuracy, 1e-12);
        Assert.AreEqual((0.75 + 0.5) / 2, strata.MeanAccuracy, 1e-12);
    }

    [TestMethod]
    public void AnyLengthOnlyRuleHasAMeanAccuracyOfOneHalfOverTheLengthStrata()
    {
        // Three of four chosen responses are the longer one, so "longer wins" looks good overall but not balanced.
        var pairs = Enumerable.Range(1, 40).Select(i => i % 4 == 0
            ? new PreferencePair($"{i}", "s", "p", "short", "much longer answer")
            : new PreferencePair($"{i}", "s", "p", "much longer answer", "short")).ToList();
        var longerWins = new PairwiseEvaluator().Evaluate(pairs, [.. pairs.Select(p => (float)p.Chosen.Length)], [.. pairs.Select(p => (float)p.Rejected.Length)]);
        Assert.AreEqual(0.75, longerWins.Overall.Accuracy, 1e-12);
        Assert.AreEqual(1.0, longerWins.ByLength.ChosenLonger.Accuracy);
        Assert.AreEqual(0.0, longerWins.ByLength.ChosenShorter.Accuracy);
        Assert.AreEqual(0.5, longerWins.ByLength.MeanAccuracy, 1e-12);

        var perfect = new PairwiseEvaluator().Evaluate(pairs, [.. pairs.Select(_ => 1f)], [.. pairs.Select(_ => 0f)]);
        Assert.AreEqual(1.0, perfect.ByLength.MeanAccuracy, 1e-12);
    }

    [TestMethod]
    public void SpearmanHandlesTiesAndReversal()
    {
        Assert.AreEqual(-1.0, Statistics.Spearman([1, 2, 3, 4], [40, 30, 20, 10]), 1e-12);
        CollectionAssert.AreEqual(new[] { 1.5, 1.5, 3.0, 4.0 }, Statistics.Ranks([5, 5, 7, 9]));
        Assert.IsTrue(double.IsNaN(Statistics.Spearman([1, 1, 1], [1, 2, 3])));
    }

    [TestMethod]
    public void CalibrationErrorOfAPerfectlyCalibratedSetIsSmall()
    {
        // Confidence 0.8 right 80% of the time: 8 pairs at p = 0.8, 2 pairs at p = 0.2 (wrong with confidence 0.8).
        double[] p = [.. Enumerable.Repeat(0.8, 8), .. Enumerable.Repeat(0.2, 2)];
        Assert.AreEqual(0.0, PairwiseEvaluator.ExpectedCalibrationError(p, 10), 1e-12);
        Assert.AreEqual(0.2, PairwiseEvaluator.ExpectedCalibrationError([0.8, 0.8], 10), 1e-12);
    }

    [TestMethod]
    public void BootstrapIntervalIsSeededAndBracketsTheMean()
    {
        double[] values = [.. Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? 0.0 : 1.0)];
        var a = Statistics.BootstrapMeanInterval(values, 500, seed: 1);
        var b = Statistics.BootstrapMeanInterval(values, 500, seed: 1);
        Assert.AreEqual(a, b);
        double mean = values.Average();
        Assert.IsTrue(a.Low < mean && mean < a.High);
        Assert.IsLessThan(0.15, a.High - a.Low);
    }

    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
}
