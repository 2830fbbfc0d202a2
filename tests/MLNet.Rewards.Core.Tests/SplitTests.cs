using MLNet.Rewards.Data;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class SplitTests
{
    private static readonly List<PreferencePair> Pairs =
        [.. Enumerable.Range(0, 600).Select(i => new PreferencePair($"id{i}", "s", $"prompt {i % 150}", $"c{i}", $"r{i}"))];

    [TestMethod]
    public void TrainTestKeepsPromptsOnOneSide()
    {
        var (train, test) = PromptGroupedSplit.TrainTest(Pairs, 0.2, seed: 3);
        Assert.AreEqual(Pairs.Count, train.Count + test.Count);
        var trainPrompts = train.Select(p => p.Prompt).ToHashSet();
        Assert.IsFalse(test.Any(p => trainPrompts.Contains(p.Prompt)), "a prompt leaked across the split");
        Assert.IsTrue(test.Count is > 60 and < 200, $"test has {test.Count} of 600 pairs for a 0.2 split");
    }

    [TestMethod]
    public void SplitIsSeededAndOrderIndependent()
    {
        var (_, a) = PromptGroupedSplit.TrainTest(Pairs, 0.3, seed: 1);
        var (_, b) = PromptGroupedSplit.TrainTest(Enumerable.Reverse(Pairs), 0.3, seed: 1);
        var (_, c) = PromptGroupedSplit.TrainTest(Pairs, 0.3, seed: 2);
        CollectionAssert.AreEquivalent(a.Select(p => p.Id).ToList(), b.Select(p => p.Id).ToList());
        CollectionAssert.AreNotEquivalent(a.Select(p => p.Id).ToList(), c.Select(p => p.Id).ToList());
    }

    [TestMethod]
    public void KFoldCoversEveryPairOnceWithoutLeakage()
    {
        var folds = PromptGroupedSplit.KFold(Pairs, 5, seed: 9).ToList();
        Assert.HasCount(5, folds);
        Assert.AreEqual(Pairs.Count, folds.Sum(f => f.Test.Count));
        foreach (var (train, test) in folds)
        {
            var testPrompts = test.Select(p => p.Prompt).ToHashSet();
            Assert.IsFalse(train.Any(p => testPrompts.Contains(p.Prompt)));
        }
    }

    [TestMethod]
    public void BadFractionIsRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PromptGroupedSplit.TrainTest(Pairs, 1.0, 0));
    }
}
