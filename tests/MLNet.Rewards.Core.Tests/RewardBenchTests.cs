using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class RewardBenchTests
{
    [TestMethod]
    public void V1WeighsSubsetsByPairCountCountsTiesWrongAndAveragesTheSectionsPresent()
    {
        // alpacaeval-easy: 3 right + 1 tie = 0.75 over 4 pairs; mt-bench-easy: 1 of 1. Chat = (4·0.75 + 1·1) / 5 = 0.8
        // (the unweighted mean would be 0.875). Chat Hard: llmbar-natural 1 of 2 = 0.5. No Safety or Reasoning pairs,
        // so the headline is (0.8 + 0.5) / 2. my-set is in no section: reported, but in no score.
        var items = new List<ItemScores>
        {
            Pair("alpacaeval-easy", 2, 1), Pair("alpacaeval-easy", 5, 0), Pair("alpacaeval-easy", 1, -1), Pair("alpacaeval-easy", 3, 3),
            Pair("mt-bench-easy", 1, 0),
            Pair("llmbar-natural", 1, 0), Pair("llmbar-natural", 0, 1),
            Pair("my-set", 0, 1), Pair("my-set", 0, 1),
        };
        var report = new RewardBenchV1().Score(items);

        Assert.AreEqual(0.75, Subset(report, "alpacaeval-easy").Accuracy.Accuracy, 1e-12);
        CollectionAssert.AreEqual(new[] { "Chat", "Chat Hard" }, report.Sections.Select(s => s.Section).ToArray());
        Assert.AreEqual(0.8, report.Sections[0].Score, 1e-12);
        Assert.AreEqual(5, report.Sections[0].Pairs);
        Assert.AreEqual(2, report.Sections[0].Subsets);
        Assert.AreEqual(0.5, report.Sections[1].Score, 1e-12);
        Assert.AreEqual(0.65, report.Headline, 1e-12);
        CollectionAssert.AreEqual(new[] { "my-set" }, report.Unassigned.ToArray());
        Assert.IsNull(Subset(report, "my-set").Section);
        Assert.AreEqual(0.0, Subset(report, "my-set").Accuracy.Accuracy);
    }

    [TestMethod]
    public void V1FromPairsUsesTheSourceAsSubsetAndMatchesTheItemForm()
    {
        List<PreferencePair> pairs = [new("1", "llmbar-natural", "p", "c", "r"), new("2", "llmbar-natural", "p", "c", "r"), new("3", "mt-bench-hard", "p", "c", "r")];
        var report = new RewardBenchV1().Score(pairs, [1f, 0f, 2f], [0f, 0f, 1f]);
        // llmbar-natural 1 of 2 (the tie is wrong), mt-bench-hard 1 of 1: Chat Hard = (2·0.5 + 1·1) / 3.
        Assert.AreEqual(2.0 / 3, report.Headline, 1e-12);
        Assert.AreEqual("Chat Hard", report.Sections.Single().Section);
    }

    [TestMethod]
    public void DefaultMapWeighsMathPrmAsV1Does()
    {
        // math-prm 1 of 2 with weight 984; hep-go 2 of 2 with weight 2 (its pair count).
        var items = new List<ItemScores> { Pair("math-prm", 1, 0), Pair("math-prm", 0, 1), Pair("hep-go", 1, 0), Pair("hep-go", 1, 0) };
        var report = new RewardBenchV1().Score(items);
        Assert.AreEqual(984.0, Subset(report, "math-prm").Weight);
        Assert.AreEqual(2.0, Subset(report, "hep-go").Weight);
        Assert.AreEqual(((984 * 0.5) + (2 * 1.0)) / 986, report.Sections.Single().Score, 1e-12);
    }

    [TestMethod]
    public void UserMapFromJsonWithFixedWeights()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sections-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"sections": {"Mine": ["a", "b"], "Other": ["c"]}, "weights": {"b": 3}}""");
        try
        {
            var map = RewardBenchSections.Load(path);
            var report = new RewardBenchV1(map).Score([Pair("a", 1, 0), Pair("b", 0, 1), Pair("llmbar-natural", 1, 0)]);
            // Mine = (1·1 + 3·0) / 4; Other has no pairs; llmbar-natural is in no section of this map.
            Assert.AreEqual("Mine", report.Sections.Single().Section);
            Assert.AreEqual(0.25, report.Headline, 1e-12);
            CollectionAssert.AreEqual(new[] { "llmbar-natural" }, report.Unassigned.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void MalformedSectionMapsNameTheFileAndTheProblem()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sections-{Guid.NewGuid():N}.json");
        try
        {
            foreach (var (json, expected) in new[]
            {
                ("""{"Chat": ["a"]}""", "\"sections\""),
                ("""{"sections": {"Chat": "a"}}""", "section 'Chat'"),
                ("""{"sections": {"A": ["x"], "B": ["x"]}}""", "subset 'x' is in both 'A' and 'B'"),
                ("""{"sections": {"A": ["x"]}, "weights": {"x": -1}}""", "weight of subset 'x'"),
                ("""{"sections": """, "not valid JSON"),
            })
            {
                File.WriteAllText(path, json);
                var e = Assert.ThrowsExactly<DataFormatException>(() => RewardBenchSections.Load(path), json);
                StringAssert.Contains(e.Message, path);
                StringAssert.Contains(e.Message, expected);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void V1RefusesItemsWithoutExactlyTwoScores()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new RewardBenchV1().Score([new ItemScores("q", "a", [1f, 0f, 0f])]));
        StringAssert.Contains(e.Message, "'q'");
    }

    [TestMethod]
    public void V2ItemScoreIsOneOverTheTiesAtTheMaximum()
    {
        Assert.AreEqual(1.0, RewardBenchV2.ItemScore([3f, 1f, 2f, 0f]));
        Assert.AreEqual(0.5, RewardBenchV2.ItemScore([3f, 3f, 1f, 0f]));
        Assert.AreEqual(1.0 / 3, RewardBenchV2.ItemScore([2f, 2f, 2f, 1f]), 1e-15);
        Assert.AreEqual(0.25, RewardBenchV2.ItemScore([2f, 2f, 2f, 2f]));
        Assert.AreEqual(0.0, RewardBenchV2.ItemScore([1f, 3f, 0f, 0f]));
        Assert.AreEqual(0.0, RewardBenchV2.ItemScore([2f, 2f, 3f, 1f]), "tied with another, but a third is higher");
        Assert.ThrowsExactly<ArgumentException>(() => RewardBenchV2.ItemScore([1f]));
    }

    [TestMethod]
    public void V2HeadlineIsTheMeanOfSubsetScores()
    {
        var items = new List<ItemScores>
        {
            new("1", "x", [3f, 1f, 2f, 0f]), new("2", "x", [3f, 3f, 1f, 0f]),
            new("3", "y", [2f, 2f, 2f, 1f]),
        };
        var report = new RewardBenchV2().Score(items);
        Assert.AreEqual(0.75, report.Subsets["x"].Accuracy, 1e-12);
        Assert.AreEqual(1.0 / 3, report.Subsets["y"].Accuracy, 1e-12);
        Assert.AreEqual((0.75 + (1.0 / 3)) / 2, report.Headline, 1e-12);
    }

    [TestMethod]
    public void ScoreFilesRoundTripAndBadLinesNameFileAndLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"scores-{Guid.NewGuid():N}.jsonl");
        try
        {
            ItemScores[] items = [new("a\"1", "s", [0.1f, -2.5e-7f, 3e30f, 0f]), new("b", "t", [1f, 2f])];
            ItemScoresFile.Write(path, items);
            var read = ItemScoresFile.Read(path);
            Assert.HasCount(2, read);
            Assert.AreEqual("a\"1", read[0].Id);
            CollectionAssert.AreEqual(items[0].Scores.ToArray(), read[0].Scores.ToArray());

            foreach (var (line, expected) in new[]
            {
                ("""{"id":"x","subset":"s"}""", "field 'scores' is missing"),
                ("""{"id":"x","subset":"s","scores":[1]}""", "at least one other, found 1"),
                ("""{"id":"x","subset":"s","scores":[1,"2"]}""", "scores[1] must be a finite number"),
                ("""{"id":"x","subset":"s","scores":[1,1e99]}""", "scores[1] must be a finite number"),
                ("""{"id":"x","scores":[1,2]}""", "field 'subset' is missing"),
                ("""{"id":"x","subset":"s","scores":{}}""", "must be an array"),
            })
            {
                File.WriteAllText(path, "{\"id\":\"ok\",\"subset\":\"s\",\"scores\":[1,0]}\n" + line + "\n");
                var e = Assert.ThrowsExactly<DataFormatException>(() => ItemScoresFile.Read(path), line);
                Assert.AreEqual(2, e.LineNumber, line);
                StringAssert.Contains(e.Message, $"{path}:2: ");
                StringAssert.Contains(e.Message, expected);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ItemScores Pair(string subset, float chosen, float rejected) => new($"{subset}-{chosen}-{rejected}", subset, [chosen, rejected]);

    private static SubsetScore Subset(RewardBenchV1Report report, string name) => report.Subsets.Single(s => s.Subset == name);
}
