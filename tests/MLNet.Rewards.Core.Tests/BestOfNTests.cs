using MLNet.Rewards.Evaluation;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class BestOfNTests
{
    // Two prompts of three candidates each.
    private static readonly float[] Golden = [1f, 5f, 3f, -2f, 0f, 4f];
    private static readonly float[] Scores = [0.9f, 0.1f, 0.5f, 0.0f, 2.0f, 1.0f];

    [TestMethod]
    public void ChoosesTheTopScoredAmongTheFirstN()
    {
        // n = 3: prompt 0 picks candidate 0 (golden 1), prompt 1 picks candidate 1 (golden 0).
        Assert.AreEqual(0.5, BestOfN.MeanGoldenOfChoice(Scores, Golden, 3, 3), 1e-12);

        // n = 1: the first candidate of each prompt.
        Assert.AreEqual(-0.5, BestOfN.MeanGoldenOfChoice(Scores, Golden, 3, 1), 1e-12);

        // Oracle and random pick.
        Assert.AreEqual(4.5, BestOfN.MeanGoldenOfChoice(Golden, Golden, 3, 3), 1e-12);
        Assert.AreEqual(((1 + 5) / 2.0 + (-2 + 0) / 2.0) / 2, BestOfN.MeanGoldenOfRandomPick(Golden, 3, 2), 1e-12);
    }

    [TestMethod]
    public void RejectsInconsistentSizes()
    {
        Assert.ThrowsExactly<ArgumentException>(() => BestOfN.MeanGoldenOfChoice(Scores, Golden.AsSpan(0, 5), 3, 3));
        Assert.ThrowsExactly<ArgumentException>(() => BestOfN.MeanGoldenOfChoice(Scores, Golden, 4, 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BestOfN.MeanGoldenOfChoice(Scores, Golden, 3, 4));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => BestOfN.MeanGoldenOfRandomPick(Golden, 3, 0));
    }
}
