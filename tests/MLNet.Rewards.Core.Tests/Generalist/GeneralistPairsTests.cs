using MLNet.Rewards.Data;
using MLNet.Rewards.Generalist;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Tests.Generalist;

[TestClass]
public sealed class GeneralistPairsTests
{
    private static RatedResponse Rated(string id, string prompt, string response, float helpfulness) =>
        new(id, "helpsteer", prompt, response, new Dictionary<string, float> { ["helpfulness"] = helpfulness });

    private static PreferencePair Pair(string id, string source, int chosenLength, int rejectedLength) =>
        new(id, source, "p", new string('c', chosenLength), new string('r', rejectedLength));

    [TestMethod]
    public void RatingsBecomePairsWithinAPromptWhenTheyDifferByTheGap()
    {
        RatedResponse[] rows =
        [
            Rated("a", "P", "one", 4), Rated("b", "P", "two", 2), Rated("c", "P", "three", 3.5f),
            Rated("d", "Q", "four", 1), Rated("e", "Q", "five", 1),
            Rated("f", "R", "alone", 4),
        ];
        var pairs = GeneralistPairs.FromRatings(rows, "helpfulness", minimumGap: 1);
        CollectionAssert.AreEquivalent(new[] { "a|b", "c|b" }, pairs.Select(p => p.Id).ToArray());
        var ab = pairs.Single(p => p.Id == "a|b");
        Assert.AreEqual("one", ab.Chosen);
        Assert.AreEqual("two", ab.Rejected);
        Assert.AreEqual("P", ab.Prompt);
        Assert.AreEqual("helpsteer", ab.Source);
    }

    [TestMethod]
    public void CapsKeepAtMostTheCapPerSourceTheSameWayEveryTime()
    {
        var pairs = Enumerable.Range(0, 30).Select(i => Pair($"x{i}", i < 20 ? "big" : "small", 5, 3)).ToList();
        var capped = GeneralistPairs.CapPerSource(pairs, 8, seed: 3);
        Assert.AreEqual(8, capped.Count(p => p.Source == "big"));
        Assert.AreEqual(8, capped.Count(p => p.Source == "small"));
        CollectionAssert.AreEqual(capped, GeneralistPairs.CapPerSource(pairs, 8, seed: 3));
        CollectionAssert.AreNotEqual(capped.Select(p => p.Id).ToArray(), GeneralistPairs.CapPerSource(pairs, 8, seed: 4).Select(p => p.Id).ToArray());
    }

    [TestMethod]
    public void BalancingLeavesAsManyChosenLongerAsChosenShorterPairsInEachSource()
    {
        var pairs = new List<PreferencePair>();
        for (int i = 0; i < 12; i++)
        {
            pairs.Add(Pair($"a{i}", "a", i < 9 ? 10 : 2, 5));
        }

        for (int i = 0; i < 5; i++)
        {
            pairs.Add(Pair($"b{i}", "b", i < 1 ? 10 : 2, 5));
        }

        pairs.Add(Pair("tie", "b", 5, 5));
        var balanced = GeneralistPairs.BalanceLength(pairs, seed: 0);
        foreach (var source in new[] { "a", "b" })
        {
            var group = balanced.Where(p => p.Source == source).ToList();
            Assert.AreEqual(group.Count(p => p.Chosen.Length > p.Rejected.Length), group.Count(p => p.Chosen.Length < p.Rejected.Length), source);
        }

        Assert.AreEqual(6, balanced.Count(p => p.Source == "a"));
        Assert.AreEqual(3, balanced.Count(p => p.Source == "b"), "one longer, one shorter and the tie");
    }

    [TestMethod]
    public void LengthCoefficientsHaveTheSignOfEachSourceSLengthPreferenceAndBecomeMargins()
    {
        var pairs = new List<PreferencePair>();
        for (int i = 0; i < 40; i++)
        {
            // "long" prefers the longer response 3 times in 4, "short" the shorter 3 times in 4.
            bool longerChosen = i % 4 != 0;
            pairs.Add(Pair($"l{i}", "long", longerChosen ? 200 : 100, longerChosen ? 100 : 200));
            pairs.Add(Pair($"s{i}", "short", longerChosen ? 100 : 200, longerChosen ? 200 : 100));
        }

        var coefficients = GeneralistPairs.FitLengthCoefficients(pairs);
        double x = Math.Log(201) - Math.Log(101);
        // Maximum likelihood of one feature x with P = 3/4 on +x and 1/4 on -x: σ(a·x) = 3/4.
        Assert.AreEqual(Math.Log(3) / x, coefficients["long"], 0.05);
        Assert.AreEqual(-coefficients["long"], coefficients["short"], 1e-6);

        var offset = GeneralistPairs.WithLengthOffset([pairs[0] with { Margin = 0.25f }], coefficients);
        Assert.AreEqual(0.25 - (coefficients["long"] * GeneralistPairs.LogLengthDifference(pairs[0])), offset[0].Margin!.Value, 1e-5);
    }

    [TestMethod]
    public void TheMarginColumnIsReadAndABadMarginNamesTheLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"margins-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllText(path, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"margin\":1.5}\n{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"c\"}\n");
            var pairs = PreferencePairReader.ReadAll(path);
            Assert.AreEqual(1.5f, pairs[0].Margin);
            Assert.IsNull(pairs[1].Margin);

            File.WriteAllText(path, "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"margin\":\"big\"}\n");
            var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(path));
            StringAssert.Contains(error.Message, "margin");
            StringAssert.Contains(error.Message, ":1");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
