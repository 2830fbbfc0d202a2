namespace MLNet.Rewards.Tests;

/// <summary>Input columns are checked at Fit and at GetOutputSchema, with messages naming the column and the problem.</summary>
[TestClass]
public sealed class SchemaValidationTests
{
    private static readonly HashingFeaturizerSpec Hashing = new() { Buckets = 64 };

    private sealed class NumbersOnly
    {
        public float Response { get; set; }
    }

    private sealed class MismatchedPair
    {
        public string PairId { get; set; } = "p";

        public bool Label { get; set; }

        [Microsoft.ML.Data.VectorType(3)]
        public float[] Features { get; set; } = new float[3];

        [Microsoft.ML.Data.VectorType(4)]
        public float[] Prompt { get; set; } = new float[4];
    }

    private sealed class VariableFeatures
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class SmallFeatures
    {
        [Microsoft.ML.Data.VectorType(5)]
        public float[] Features { get; set; } = new float[5];
    }

    [TestMethod]
    public void EmbedTextMissingColumnIsNamedAtFitAndAtGetOutputSchema()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Fixtures.TrainRows(Fixtures.Pairs(2)));
        var estimator = ml.Rewards().EmbedText("E", "Answer", Hashing);

        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(atFit.Message, "column 'Answer' (the text to embed) is missing");
        StringAssert.Contains(atFit.Message, "Response");
        var atSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Fixtures.Shape(data.Schema)));
        StringAssert.Contains(atSchema.Message, "column 'Answer' (the text to embed) is missing");
    }

    [TestMethod]
    public void EmbedTextNonTextColumnIsReportedWithItsType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumbersOnly { Response = 1 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Rewards().EmbedText("E", "Response", Hashing).Fit(data));
        StringAssert.Contains(error.Message, "column 'Response' (the text to embed) must be text (String), but it is Single");
    }

    [TestMethod]
    public void PairwiseRewardWrongVectorSizeIsReportedByTheFittedTransformer()
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
    public void PairwiseRewardPromptEmbeddingOfAnotherSizeIsReportedAtFit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new MismatchedPair { Label = true }, new MismatchedPair() });
        var trainer = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { PromptFeatureColumnName = "Prompt", Trainer = Quick });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(error.Message, "column 'Prompt' (the prompt embedding) has 4 values per row but the feature column 'Features' has 3");
    }

    [TestMethod]
    public void PairwiseRewardVariableSizeRowOfWrongLengthIsReportedWhenScored()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(20));
        var model = ml.Rewards().EmbedText("Features", "Response", Hashing)
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { Trainer = Quick }))
            .Fit(ml.Data.LoadFromEnumerable(rows));
        var scored = model.LastTransformer.Transform(ml.Data.LoadFromEnumerable(new[] { new VariableFeatures { Features = new float[7] } }));

        // ML.NET may wrap an exception thrown inside a cursor (its parallel cursors do); ours is in the chain.
        var error = Assert.Throws<Exception>(() => scored.GetColumn<float>("Score").ToList());
        var chain = new List<Exception>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            chain.Add(e);
        }

        Assert.IsTrue(
            chain.Any(e => e is InvalidOperationException && e.Message.Contains("a row's feature vector has 7 values but the model was fitted on 64", StringComparison.Ordinal)),
            $"expected the row-size error, got {error}");
    }

    [TestMethod]
    public void PairwiseRewardMissingLabelIsNamedAtGetOutputSchemaAndFit()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var embedded = ml.Rewards().EmbedText("Features", "Response", Hashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var trainer = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { LabelColumnName = "Preferred", Trainer = Quick });

        var atSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(Fixtures.Shape(embedded.Schema)));
        StringAssert.Contains(atSchema.Message, "column 'Preferred' (true for the preferred response) is missing");
        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(embedded));
        StringAssert.Contains(atFit.Message, "column 'Preferred'");
    }

    [TestMethod]
    public void PairwiseRewardLabelOfWrongTypeIsReported()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var embedded = ml.Rewards().EmbedText("Features", "Response", Hashing).Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var trainer = ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { LabelColumnName = "Length", Trainer = Quick });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(embedded));
        StringAssert.Contains(error.Message, "column 'Length' (true for the preferred response) must be Boolean, but it is Single");
    }

    [TestMethod]
    public void PairwiseRewardPairWithoutRejectedRowIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        rows.RemoveAt(1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("Features", "Response", Hashing).Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { Trainer = Quick }));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => pipeline.Fit(data));
        StringAssert.Contains(error.Message, $"pair id '{rows[0].PairId}' has 1 preferred ('Label' true) and 0 rejected ('Label' false) rows");
    }

    [TestMethod]
    public void PairwiseRewardOptionsAreValidatedWhenTheTrainerIsCreated()
    {
        var ml = new MLContext();
        var error = Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { FeatureColumnName = "" }));
        StringAssert.Contains(error.Message, "FeatureColumnName must name a column");
        Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { Trainer = new PairwiseTrainerOptions { BatchSize = 0 } }));
    }

    /// <summary>The shape ML.NET's estimator chains pass to GetOutputSchema (SchemaShape.Create is internal to ML.NET).</summary>
    private static PairwiseTrainerOptions Quick => new() { Head = new LinearHeadSpec(), MaxEpochs = 2, Seed = 1 };
}
