namespace MLNet.Rewards.Tests;

/// <summary>
/// Every fitted component, and pipelines that mix ours with ML.NET's own transforms, saved with <c>Model.Save</c> and
/// loaded in a separate process: the scores through Transform and through a PredictionEngine must be bit-identical to
/// the fitted model's in this process.
/// </summary>
[TestClass]
public sealed class RoundTripTests
{
    private static readonly HashingFeaturizerSpec SmallHashing = new() { Buckets = 256 };

    [TestMethod]
    public void EmbedTextSavedAndLoadedInAnotherProcessGivesBitIdenticalEmbeddings()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(12));
        var model = ml.Rewards().EmbedText("ResponseEmbedding", "Response", SmallHashing).Fit(ml.Data.LoadFromEnumerable(rows));

        AssertRoundTrip(ml, model, ml.Data.LoadFromEnumerable(rows).Schema, Fixtures.ScoreRows(rows), "ResponseEmbedding");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EmbedTextWithTheMiniLmSentenceEncoderRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var data = ml.Data.LoadFromEnumerable(rows);
        var minilm = OnnxSentenceFeaturizerSpec.FromModelDirectory(SharedFiles.Model("all-MiniLM-L6-v2")) with { Threads = 1 };
        var model = ml.Rewards().EmbedText("ResponseEmbedding", "Response", minilm).Fit(data);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 384), model.GetOutputSchema(data.Schema)["ResponseEmbedding"].Type);
        AssertRoundTrip(ml, model, data.Schema, Fixtures.ScoreRows(rows), "ResponseEmbedding");
    }

    [TestMethod]
    public void EmbedTextDeclaresTheSizeForListedDimensionsAndIsVariableOtherwise()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Fixtures.TrainRows(Fixtures.Pairs(2)));
        var listed = ml.Rewards().EmbedText("E", "Response", SmallHashing).Fit(data).GetOutputSchema(data.Schema)["E"].Type;
        var unlisted = ml.Rewards().EmbedText("E", "Response", new HashingFeaturizerSpec { Buckets = 100 }).Fit(data).GetOutputSchema(data.Schema)["E"].Type;

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 256), listed);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), unlisted);
    }

    [TestMethod]
    public void EmbedTextOfAnUnlistedSizeRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(8));
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Rewards().EmbedText("ResponseEmbedding", "Response", new HashingFeaturizerSpec { Buckets = 100 }).Fit(data);

        AssertRoundTrip(ml, model, data.Schema, Fixtures.ScoreRows(rows), "ResponseEmbedding");
    }

    [TestMethod]
    public void PipelineNormalizingTheEmbeddingWithNormalizeMinMaxRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(60));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("ResponseEmbedding", "Response", SmallHashing)
            .Append(ml.Transforms.NormalizeMinMax("ResponseEmbedding"))
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                FeatureColumnName = "ResponseEmbedding",
                Trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 4, Seed = 9 },
            }));

        AssertRoundTrip(ml, pipeline.Fit(data), data.Schema, Fixtures.ScoreRows(rows), "Score");
    }

    [TestMethod]
    public void PairwiseRewardLinearHeadWithPromptEmbeddingRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(60));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("PromptEmbedding", "Prompt", SmallHashing)
            .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response", SmallHashing))
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                FeatureColumnName = "ResponseEmbedding",
                PromptFeatureColumnName = "PromptEmbedding",
                ValidationGroupColumnName = "Prompt",
                Trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 5, Seed = 3 },
            }));

        AssertRoundTrip(ml, pipeline.Fit(data), data.Schema, Fixtures.ScoreRows(rows), "Score");
    }

    [TestMethod]
    public void PairwiseRewardMlpHeadRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(60));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().EmbedText("Features", "Response", SmallHashing)
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                ScoreColumnName = "Reward",
                Trainer = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [32, 16] }, MaxEpochs = 4, Seed = 5 },
            }));

        AssertRoundTrip(ml, pipeline.Fit(data), data.Schema, Fixtures.ScoreRows(rows), "Reward");
    }

    [TestMethod]
    public void MixedPipelineWithConcatenateAndNormalizeMinMaxRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(60));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Concatenate("Numeric", nameof(TrainRow.Length), nameof(TrainRow.Words))
            .Append(ml.Transforms.NormalizeMinMax("Numeric"))
            .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response", SmallHashing))
            .Append(ml.Transforms.Concatenate("Features", "ResponseEmbedding", "Numeric"))
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                Trainer = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [16] }, MaxEpochs = 4, Seed = 7 },
            }))
            .Append(ml.Transforms.CopyColumns("ScoreCopy", "Score"));

        AssertRoundTrip(ml, pipeline.Fit(data), data.Schema, Fixtures.ScoreRows(rows), "ScoreCopy");
    }

    [TestMethod]
    public void SavedZipLoadsAsBuiltInTransformersOnly()
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(4));
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Rewards().EmbedText("E", "Response", SmallHashing).Fit(data);
        string path = Fixtures.TempPath(".zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            var types = Flatten(loaded).Select(t => t.GetType().Assembly.GetName().Name).Distinct().ToList();
            CollectionAssert.DoesNotContain(types, typeof(RewardsCatalog).Assembly.GetName().Name, "a loaded model is made of ML.NET's own transformers");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];

    /// <summary>
    /// Scores <paramref name="rows"/> with the fitted model, with it saved and loaded here, and loaded in another process;
    /// every column of <paramref name="columns"/> (comma-separated) must be bit-identical through Transform and PredictionEngine.
    /// </summary>
    internal static void AssertRoundTrip(MLContext ml, ITransformer model, DataViewSchema trainSchema, List<ScoreRow> rows, string columns)
    {
        string path = Fixtures.TempPath(".zip");
        try
        {
            var fitted = Fixtures.ScoreInProcess(ml, model, rows, columns);
            foreach (var column in fitted.GroupBy(line => line[..line.IndexOf(':', StringComparison.Ordinal)]))
            {
                Assert.IsTrue(column.Distinct().Count() > 1, $"every row has the same {column.Key}: the comparison would prove little");
            }

            foreach (string line in fitted)
            {
                var halves = line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(' ');
                Assert.AreEqual(halves[0], halves[1], $"Transform and PredictionEngine disagree on the fitted model ({line})");
            }

            ml.Model.Save(model, trainSchema, path);
            var loadedHere = Fixtures.ScoreInProcess(ml, ml.Model.Load(path, out _), rows, columns);
            CollectionAssert.AreEqual(fitted, loadedHere, "the model loaded in this process scores differently");

            var loadedElsewhere = Fixtures.ScoreInSeparateProcess(path, rows, columns);
            CollectionAssert.AreEqual(fitted, loadedElsewhere, "the model loaded in another process scores differently");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
