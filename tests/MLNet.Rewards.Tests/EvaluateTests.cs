using MLNet.Rewards.Evaluation;

namespace MLNet.Rewards.Tests;

/// <summary>mlContext.Rewards().Evaluate: scored rows matched into pairs by pair id, measured as Core's evaluator measures pairs.</summary>
[TestClass]
public sealed class EvaluateTests
{
    private sealed class ScoredRow
    {
        public string PairId { get; set; } = string.Empty;

        public string Source { get; set; } = string.Empty;

        public string Response { get; set; } = string.Empty;

        public bool Label { get; set; }

        public float Score { get; set; }
    }

    private sealed class NoScore
    {
        public string PairId { get; set; } = string.Empty;

        public bool Label { get; set; }
    }

    private sealed class ScoreOnly
    {
        public string PairId { get; set; } = string.Empty;

        public bool Label { get; set; }

        public float Score { get; set; }
    }

    private static ScoredRow Row(string pair, string source, string response, bool label, float score)
        => new() { PairId = pair, Source = source, Response = response, Label = label, Score = score };

    [TestMethod]
    public void RowsInAnyOrderAreMatchedByPairIdAndMeasuredOnAHandComputedCase()
    {
        // Pair a: chosen longer and scored higher (right); b: chosen shorter, scored lower (wrong); c: a tie (half);
        // the rows are interleaved so that only the pair id can match them.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            Row("b", "s2", "short", label: true, score: 0f),
            Row("a", "s1", "a long answer", label: true, score: 2f),
            Row("c", "s2", "same", label: false, score: 1f),
            Row("b", "s2", "much longer", label: false, score: 1f),
            Row("a", "s1", "short", label: false, score: 1f),
            Row("c", "s2", "tied", label: true, score: 1f),
        });

        var report = ml.Rewards().Evaluate(data);

        Assert.AreEqual(3, report.Overall.Count);
        Assert.AreEqual((1 + 0 + 0.5) / 3, report.Overall.Accuracy, 1e-12);
        Assert.AreEqual(1.0, report.PerSource["s1"].Accuracy, 1e-12);
        Assert.AreEqual(0.25, report.PerSource["s2"].Accuracy, 1e-12);
        Assert.AreEqual(1, report.ByLength.ChosenLonger.Count);
        Assert.AreEqual(1.0, report.ByLength.ChosenLonger.Accuracy);
        Assert.AreEqual(1, report.ByLength.ChosenShorter.Count);
        Assert.AreEqual(0.0, report.ByLength.ChosenShorter.Accuracy);
        Assert.AreEqual(0.5, report.ByLength.MeanAccuracy, 1e-12);
    }

    [TestMethod]
    public void AFittedPipelinesScoresGiveCoresReport()
    {
        var train = Fixtures.Pairs(120);
        List<PreferencePair> test = [.. Fixtures.Pairs(30, "llmbar.jsonl.gz"), .. Fixtures.Pairs(30, "hh-harmless-test.jsonl.gz")];
        var ml = new MLContext(seed: 1);
        var model = ml.Rewards().EmbedText("ResponseEmbedding", "Response", new HashingFeaturizerSpec { Buckets = 128 })
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                FeatureColumnName = "ResponseEmbedding",
                Trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 3, Seed = 3 },
            }))
            .Fit(ml.Rewards().LoadPreferencePairs(train));

        var report = ml.Rewards().Evaluate(model.Transform(ml.Rewards().LoadPreferencePairs(test)));

        float[] scores = [.. model.Transform(ml.Rewards().LoadPreferencePairs(test)).GetColumn<float>("Score")];
        var expected = new PairwiseEvaluator().Evaluate(test, [.. scores.Where((_, i) => i % 2 == 0)], [.. scores.Where((_, i) => i % 2 == 1)]);
        Assert.AreEqual(expected.Overall, report.Overall);
        Assert.AreEqual(expected.LogLoss, report.LogLoss, 1e-12);
        Assert.AreEqual(expected.LengthSpearman, report.LengthSpearman, 1e-12);
        Assert.AreEqual(expected.ByLength, report.ByLength);
        CollectionAssert.AreEquivalent(expected.PerSource.ToList(), report.PerSource.ToList());
        Assert.AreEqual(2, report.PerSource.Count, "pairs from two files, two sources");
    }

    [TestMethod]
    public void WithoutResponseOrSourceColumnsTheLengthMeasuresAreNaNAndThereIsOneSource()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { Row("a", "s", "x", true, 1f), Row("a", "s", "yy", false, 0f) });

        var report = ml.Rewards().Evaluate(data, responseColumnName: null, sourceColumnName: null);

        Assert.AreEqual(1.0, report.Overall.Accuracy);
        Assert.IsTrue(double.IsNaN(report.LengthSpearman));
        Assert.IsTrue(double.IsNaN(report.ByLength.MeanAccuracy));
        Assert.AreEqual(1, report.PerSource.Count);
    }

    [TestMethod]
    public void BadScoredDataIsRefusedWithAMessageThatNamesTheProblem()
    {
        var ml = new MLContext(seed: 1);
        var noScore = ml.Data.LoadFromEnumerable(new[] { new NoScore { PairId = "a", Label = true } });
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().Evaluate(noScore, responseColumnName: null, sourceColumnName: null));
        StringAssert.Contains(missing.Message, "column 'Score' (score) is missing");

        var boolean = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().Evaluate(noScore, scoreColumnName: "Label", responseColumnName: null, sourceColumnName: null));
        StringAssert.Contains(boolean.Message, "column 'Label' (score) must be Single");

        var withoutTexts = ml.Data.LoadFromEnumerable(new[] { new ScoreOnly { PairId = "a", Label = true, Score = 1f } });
        var noResponse = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().Evaluate(withoutTexts));
        StringAssert.Contains(noResponse.Message, "responseColumnName: null");

        var onlyChosen = ml.Data.LoadFromEnumerable(new[] { Row("a", "s", "x", true, 1f), Row("a", "s", "y", true, 0f) });
        var unmatched = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Rewards().Evaluate(onlyChosen));
        StringAssert.Contains(unmatched.Message, "pair id 'a' has 2 preferred");

        var notFinite = ml.Data.LoadFromEnumerable(new[] { Row("a", "s", "x", true, float.NaN), Row("a", "s", "y", false, 0f) });
        var nan = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Rewards().Evaluate(notFinite));
        StringAssert.Contains(nan.Message, "row 1: column 'Score' (score) is NaN");

        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ScoredRow>());
        var none = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Rewards().Evaluate(empty));
        StringAssert.Contains(none.Message, "no rows");
    }
}
