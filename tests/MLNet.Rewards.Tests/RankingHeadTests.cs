using MLNet.Rewards.Ranking;

namespace MLNet.Rewards.Tests;

/// <summary>The gradient-boosted ranking head (FastTree and LightGBM LambdaRank) in pipelines: training, grouping, saving, errors.</summary>
[TestClass]
public sealed class RankingHeadTests
{
    private static readonly HashingFeaturizerSpec SmallHashing = new() { Buckets = 256 };

    [TestMethod]
    [DataRow(RankingBooster.FastTree, RankingGroup.Pair)]
    [DataRow(RankingBooster.LightGbm, RankingGroup.Prompt)]
    public void RankingHeadInAPipelineRoundTripsBitIdentically(RankingBooster booster, RankingGroup group)
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(80));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("ResponseEmbedding", "Response", SmallHashing)
            .Append(ml.Transforms.Concatenate("Features", "ResponseEmbedding", nameof(TrainRow.Length), nameof(TrainRow.Words)))
            .Append(ml.Rewards().RankingReward(new RankingRewardTrainerOptions { Booster = booster, Group = group, NumberOfTrees = 20, MinimumExampleCountPerLeaf = 5, ScoreColumnName = "Reward" }));

        RoundTripTests.AssertRoundTrip(ml, pipeline.Fit(data), data.Schema, Fixtures.ScoreRows(rows), "Reward");
    }

    [TestMethod]
    [DataRow(RankingBooster.FastTree)]
    [DataRow(RankingBooster.LightGbm)]
    public void RankingHeadFitsItsTrainingPairsAndIsDeterministicForASeed(RankingBooster booster)
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(150));
        var data = ml.Rewards().EmbedText("Features", "Response", SmallHashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var options = new RankingRewardTrainerOptions { Booster = booster, NumberOfTrees = 50, MinimumExampleCountPerLeaf = 3, Seed = 4 };

        float[] first = Scores(ml.Rewards().RankingReward(options).Fit(data).Transform(data));
        float[] second = Scores(new MLContext(seed: 1).Rewards().RankingReward(options).Fit(data).Transform(data));

        CollectionAssert.AreEqual(first, second, "two fits with one seed differ");
        int agreements = Enumerable.Range(0, rows.Count / 2).Count(p => first[2 * p] > first[(2 * p) + 1]);
        Assert.IsTrue(agreements > 0.75 * rows.Count / 2, $"the trees rank the chosen response first in only {agreements} of {rows.Count / 2} training pairs");
    }

    [TestMethod]
    public void RowsOfAGroupNeedNotBeNextToEachOther()
    {
        var ml = new MLContext(seed: 1);
        var pairs = Fixtures.Pairs(60);
        // Interleaved: all chosen rows first, then all rejected rows; two pairs share each prompt.
        var rows = Fixtures.TrainRows(pairs).Select((r, i) => (Row: r, Index: i)).OrderBy(x => x.Index % 2).Select(x => x.Row).ToList();
        foreach (var r in rows)
        {
            r.Prompt = $"prompt {int.Parse(r.PairId.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture) % 30}";
        }

        var data = ml.Rewards().EmbedText("Features", "Response", SmallHashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var byPair = ml.Rewards().RankingReward(numberOfTrees: 5).Fit(data);
        var byPrompt = ml.Rewards().RankingReward(group: RankingGroup.Prompt, numberOfTrees: 5).Fit(data);

        Assert.AreEqual(60, byPair.TrainingGroups);
        Assert.AreEqual(rows.Select(r => r.Prompt).Distinct().Count(), byPrompt.TrainingGroups);
        Assert.AreEqual(120, byPrompt.TrainingRows);
        Assert.AreEqual(256, byPrompt.FeatureDimension);
    }

    [TestMethod]
    public void APairIdWithoutARejectedRowIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(10));
        rows[3].Label = true;
        var data = ml.Rewards().EmbedText("Features", "Response", SmallHashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Rewards().RankingReward(numberOfTrees: 2).Fit(data));
        StringAssert.Contains(error.Message, $"pair id '{rows[3].PairId}'");
    }

    [TestMethod]
    public void MissingColumnsAreNamedAtGetOutputSchemaAndTheScoreColumnIsDeclared()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var embedded = ml.Rewards().EmbedText("Features", "Response", SmallHashing).GetOutputSchema(Fixtures.Shape(ml.Data.LoadFromEnumerable(rows).Schema));

        var shape = ml.Rewards().RankingReward(scoreColumnName: "Reward").GetOutputSchema(embedded);
        var reward = shape.Single(c => c.Name == "Reward");
        Assert.AreEqual(NumberDataViewType.Single, reward.ItemType);
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, reward.Kind);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().RankingReward(new RankingRewardTrainerOptions { Group = RankingGroup.Prompt, PromptColumnName = "Question" }).GetOutputSchema(embedded));
        StringAssert.Contains(error.Message, "'Question'");
    }

    [TestMethod]
    public void AVariableSizeFeatureColumnIsRefusedWhenScored()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(20));
        var raw = ml.Data.LoadFromEnumerable(rows);
        var fixedSize = ml.Rewards().EmbedText("Features", "Response", SmallHashing).Fit(raw).Transform(raw);
        var model = ml.Rewards().RankingReward(numberOfTrees: 2, numberOfLeaves: 2).Fit(fixedSize);
        var variableSize = ml.Rewards().EmbedText("Features", "Response", new HashingFeaturizerSpec { Buckets = 256 + 1 }).Fit(raw).Transform(raw);

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(variableSize));
        StringAssert.Contains(error.Message, "variable size");
    }

    [TestMethod]
    public void BadHyperparametersFailWhenTheTrainerIsCreated()
    {
        var ml = new MLContext();
        var error = Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().RankingReward(numberOfLeaves: 1));
        Assert.AreEqual("NumberOfLeaves", error.ParamName);
        Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().RankingReward(learningRate: double.NaN));
        Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().RankingReward(new RankingRewardTrainerOptions { Threads = 0 }));
    }

    private static float[] Scores(IDataView scored) => [.. scored.GetColumn<float>("Score")];
}
