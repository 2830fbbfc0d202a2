namespace MLNet.Rewards.Tests;

/// <summary>
/// The prototypical reward head (Proto-RM) through <c>PairwiseReward</c>: data-initialised, saved, loaded elsewhere (parity
/// with Core: <see cref="CoreParityTests"/>).
/// </summary>
[TestClass]
public sealed class PrototypeHeadPipelineTests
{
    private static readonly HashingFeaturizerSpec Hashing = new() { Buckets = 128 };

    private static readonly PairwiseTrainerOptions Prototypes = new()
    {
        Head = new PrototypeHeadSpec { Prototypes = 8, KMeansIterations = 3 },
        MaxEpochs = 4,
        LearningRate = 1e-2f,
        Seed = 6,
    };

    private sealed class SmallFeatures
    {
        [VectorType(5)]
        public float[] ResponseEmbedding { get; set; } = new float[5];
    }

    [TestMethod]
    public void MixedPipelineWithNormalizeMinMaxRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(60));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("ResponseEmbedding", "Response", Hashing)
            .Append(ml.Transforms.NormalizeMinMax("ResponseEmbedding"))
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { FeatureColumnName = "ResponseEmbedding", Trainer = Prototypes }));
        var model = pipeline.Fit(data);

        var head = (PrototypeRewardHead)model.LastTransformer.Head;
        Assert.AreEqual(8, head.PrototypeCount);
        var untrained = (PrototypeRewardHead)Prototypes.Head.Create(head.InputDimension, Prototypes.Seed);
        Assert.IsFalse(head.Centers.SequenceEqual(untrained.Centers), "the prototypes should have been placed on the training responses and trained");
        RoundTripTests.AssertRoundTrip(ml, model, data.Schema, Fixtures.ScoreRows(rows), "Score");
    }

    [TestMethod]
    public void FeaturesOfAnotherSizeAreReportedByTheFittedTransformer()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Rewards().EmbedText("ResponseEmbedding", "Response", Hashing)
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions { FeatureColumnName = "ResponseEmbedding", Trainer = Prototypes }))
            .Fit(ml.Data.LoadFromEnumerable(Fixtures.TrainRows(Fixtures.Pairs(20))));

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.LastTransformer.GetOutputSchema(ml.Data.LoadFromEnumerable(new[] { new SmallFeatures() }).Schema));
        StringAssert.Contains(error.Message, "column 'ResponseEmbedding' (the response features) has 5 values per row but the model was fitted on 128");
    }
}
