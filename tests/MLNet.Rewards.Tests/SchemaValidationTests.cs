using System.Reflection;
using Microsoft.ML;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Pipelines.Pairwise;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Pipelines.Tests;

/// <summary>Input columns are checked at Fit and at GetOutputSchema, with messages naming the column and the problem.</summary>
[TestClass]
public sealed class SchemaValidationTests
{
    private static readonly HashingFeaturizerSpec Hashing = new() { Buckets = 64 };

    private sealed class NumbersOnly
    {
        public float Response { get; set; }
    }

    private sealed class SmallFeatures
    {
        [Microsoft.ML.Data.VectorType(5)]
        public float[] Features { get; set; } = new float[5];
    }

    [TestMethod]
    public void EmbedText_MissingColumn_IsNamedAtFitAndAtGetOutputSchema()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Fixtures.TrainRows(Fixtures.Pairs(2)));
        var estimator = ml.Rewards().EmbedText("E", "Answer", Hashing);

        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(atFit.Message, "column 'Answer' (the text to embed) is missing");
        StringAssert.Contains(atFit.Message, "Response");
        var atSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shape(data.Schema)));
        StringAssert.Contains(atSchema.Message, "column 'Answer' (the text to embed) is missing");
    }

    [TestMethod]
    public void EmbedText_NonTextColumn_IsReportedWithItsType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumbersOnly { Response = 1 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().EmbedText("E", "Response", Hashing).Fit(data));
        StringAssert.Contains(error.Message, "column 'Response' (the text to embed) must be text (String), but it is Single");
    }

    [TestMethod]
    public void PairwiseReward_WrongVectorSize_IsReportedByTheFittedTransformer()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(20));
        var model = ml.Rewards().EmbedText("Features", "Response", Hashing)
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { Trainer = Quick }))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        var scorer = model.LastTransformer;
        var small = ml.Data.LoadFromEnumerable(new[] { new SmallFeatures() });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scorer.GetOutputSchema(small.Schema));
        StringAssert.Contains(error.Message, "column 'Features' (the response features) has 5 values per row but the model was fitted on 64");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scorer.Transform(small));
    }

    [TestMethod]
    public void PairwiseReward_MissingLabel_IsNamedAtGetOutputSchemaAndFit()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var embedded = ml.Rewards().EmbedText("Features", "Response", Hashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var trainer = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { LabelColumnName = "Preferred", Trainer = Quick });

        var atSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(Shape(embedded.Schema)));
        StringAssert.Contains(atSchema.Message, "column 'Preferred' (true for the preferred response) is missing");
        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(embedded));
        StringAssert.Contains(atFit.Message, "column 'Preferred'");
    }

    [TestMethod]
    public void PairwiseReward_LabelOfWrongType_IsReported()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var embedded = ml.Rewards().EmbedText("Features", "Response", Hashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var trainer = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { LabelColumnName = "Length", Trainer = Quick });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(embedded));
        StringAssert.Contains(error.Message, "column 'Length' (true for the preferred response) must be Boolean, but it is Single");
    }

    [TestMethod]
    public void PairwiseReward_PairWithoutRejectedRow_IsNamed()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        rows.RemoveAt(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("Features", "Response", Hashing).Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { Trainer = Quick }));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => pipeline.Fit(data));
        StringAssert.Contains(error.Message, $"pair id '{rows[0].PairId}' has 1 preferred (label true) and 0 rejected (label false) rows");
    }

    [TestMethod]
    public void PairwiseRewardOptions_AreValidatedWhenTheTrainerIsCreated()
    {
        var ml = new MLContext();
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { FeatureColumnName = "" }));
        StringAssert.Contains(error.Message, "FeatureColumnName must name a column");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { Trainer = new PairwiseTrainerOptions { BatchSize = 0 } }));
    }

    /// <summary>The shape ML.NET's estimator chains pass to GetOutputSchema (SchemaShape.Create is internal to ML.NET).</summary>
    private static SchemaShape Shape(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    private static PairwiseTrainerOptions Quick => new() { Head = new LinearHeadSpec(), MaxEpochs = 2, Seed = 1 };
}
