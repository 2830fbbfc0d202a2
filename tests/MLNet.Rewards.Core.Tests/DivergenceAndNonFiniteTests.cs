using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Guidance;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

/// <summary>Training that diverges, models with non-finite weights, and NaN rewards in best-of-N (issue 14, item 3).</summary>
[TestClass]
public sealed class DivergenceAndNonFiniteTests
{
    private static PairwiseDataset RandomPairs(int count, int dimension, long seed)
    {
        var random = new SeededRandom(seed);
        var chosen = new FloatMatrix(count, dimension);
        var rejected = new FloatMatrix(count, dimension);
        for (int i = 0; i < chosen.Data.Length; i++)
        {
            chosen.Data[i] = (float)random.NextGaussian() + 0.3f;
            rejected.Data[i] = (float)random.NextGaussian();
        }

        return new PairwiseDataset(chosen, rejected, [.. Enumerable.Range(0, count).Select(i => (ulong)i)]);
    }

    private static HeadSpec Head(string kind) => kind switch
    {
        "linear" => new LinearHeadSpec(),
        "mlp" => new MlpHeadSpec { HiddenSizes = [8] },
        _ => new PrototypeHeadSpec { Prototypes = 4 },
    };

    [TestMethod]
    [DataRow("linear", 0.0)]
    [DataRow("linear", 0.2)]
    [DataRow("mlp", 0.0)]
    [DataRow("mlp", 0.2)]
    [DataRow("prototype", 0.0)]
    [DataRow("prototype", 0.2)]
    public void AHugeLearningRateStopsTrainingWithAClearError(string head, double validationFraction)
    {
        var trainer = new PairwiseTrainer(new PairwiseTrainerOptions { Head = Head(head), LearningRate = 1e30f, ValidationFraction = validationFraction, MaxEpochs = 5 });
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Fit(RandomPairs(200, 16, 1)));
        StringAssert.Contains(error.Message, "training diverged");
        StringAssert.Contains(error.Message, "learning rate");
    }

    [TestMethod]
    public void NonFiniteFeaturesStopMiniBatchAndFullBatchTraining()
    {
        var data = RandomPairs(100, 8, 2);
        data.Chosen.Data[13] = float.PositiveInfinity;
        Assert.ThrowsExactly<TrainingDivergedException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), ValidationFraction = 0 }).Fit(data));
        Assert.ThrowsExactly<TrainingDivergedException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, ValidationFraction = 0 }).Fit(data));
    }

    [TestMethod]
    public void ADivergingEnsembleMemberIsReportedAsSuch()
    {
        var trainer = new EnsembleTrainer(new EnsembleTrainerOptions { Members = 2, Trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), LearningRate = 1e30f, ValidationFraction = 0 } });
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Fit(RandomPairs(100, 8, 3)));
        StringAssert.Contains(error.Message, "member ");
    }

    [TestMethod]
    public void ADivergingGenArmHeadStopsTraining()
    {
        var options = new ArmTrainerOptions { Rank = 2, Epochs = 3, BatchSize = 8, LearningRate = 1e30f, Seed = 1 };
        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => ArmTrainer.Fit("p", Guidance.SyntheticArmFeatures.Pairs(48, seed: 3, learnable: true), [], Guidance.SyntheticArmFeatures.Vocabulary, options));
        StringAssert.Contains(error.Message, "ARM");
    }

    [TestMethod]
    public void SaneTrainingIsUnaffected()
    {
        var result = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 3 }).Fit(RandomPairs(200, 16, 4));
        Assert.IsTrue(result.Head.Parameters.All(float.IsFinite));
        Assert.IsTrue(result.BestEpoch >= 1);
    }

    [TestMethod]
    public void TheLoaderRefusesNonFiniteWeightsNamingTheTensor()
    {
        var head = new LinearHeadSpec().Create(2 * 32, 0);
        var model = new PairwiseRewardModel(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 }), FeatureLayout.ResponseAndPromptProduct, head);
        string path = TestData.TempPath(".zip");
        model.Save(path);

        // Rewrite the weights with a NaN and a matching checksum, as an edited or diverged model would be.
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            byte[] weights;
            using (var stream = zip.GetEntry(ModelArchive.WeightsEntry)!.Open())
            using (var buffer = new MemoryStream())
            {
                stream.CopyTo(buffer);
                weights = buffer.ToArray();
            }

            var tensors = SafeTensors.Read(weights, path).Values.ToList();
            tensors[0].Data[5] = float.NaN;
            weights = SafeTensors.Write(tensors, new Dictionary<string, string> { ["component"] = PairwiseRewardModel.ComponentName });
            var manifestEntry = zip.GetEntry(ModelArchive.ManifestEntry)!;
            JsonObject manifest;
            using (var stream = manifestEntry.Open())
            {
                manifest = JsonNode.Parse(stream)!.AsObject();
            }

            manifest["weights"]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights));
            manifest["weights"]!["bytes"] = weights.Length;
            manifestEntry.Delete();
            zip.GetEntry(ModelArchive.WeightsEntry)!.Delete();
            using (var stream = zip.CreateEntry(ModelArchive.ManifestEntry).Open())
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            }

            using (var stream = zip.CreateEntry(ModelArchive.WeightsEntry).Open())
            {
                stream.Write(weights);
            }
        }

        var error = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
        StringAssert.Contains(error.Message, $"tensor '{head.Layout[0].Name}' holds NaN at element 5");
    }

    [TestMethod]
    public void SavingRefusesNonFiniteWeights()
    {
        var head = new LinearHeadSpec().Create(2 * 32, 0);
        head.Parameters[3] = float.NegativeInfinity;
        var model = new PairwiseRewardModel(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 }), FeatureLayout.ResponseAndPromptProduct, head);
        string path = TestData.TempPath(".zip");
        Assert.ThrowsExactly<InvalidOperationException>(() => model.Save(path));
        Assert.IsFalse(File.Exists(path));
    }

    [TestMethod]
    public void BestOfNNeverChoosesANaNScore()
    {
        float[] scores = [float.NaN, 1f, 2f, 3f, float.NaN, float.PositiveInfinity];
        float[] golden = [100f, 1f, 2f, 3f, 100f, 100f];
        Assert.AreEqual((2 + 3) / 2.0, BestOfN.MeanGoldenOfChoice(scores, golden, 3, 3), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => BestOfN.MeanGoldenOfChoice([float.NaN, float.NaN], [1f, 2f], 2, 2));
    }

    [TestMethod]
    public void BestOfNSelectorRanksNaNRewardsLast()
    {
        var generation = new GenerationResult(
            [.. new[] { "nan", "low", "high", "inf" }.Select((text, i) => new GeneratedText(i, text, [], default))], 1, 1, TimeSpan.Zero, TimeSpan.Zero);
        var selector = new BestOfNSelector(null!, new FixedScorer(new() { ["nan"] = float.NaN, ["low"] = 1f, ["high"] = 2f, ["inf"] = float.NaN }));
        var ranked = selector.Rank("p", generation);
        CollectionAssert.AreEqual(new[] { "high", "low" }, ranked.Ranked.Take(2).Select(r => r.Candidate.Text).ToArray());
        Assert.AreEqual("high", ranked.Best.Candidate.Text);

        var allNaN = new BestOfNSelector(null!, new FixedScorer(new() { ["nan"] = float.NaN, ["low"] = float.NaN, ["high"] = float.NaN, ["inf"] = float.NaN }));
        Assert.ThrowsExactly<InvalidOperationException>(() => allNaN.Rank("p", generation));
    }

    private sealed class FixedScorer(Dictionary<string, float> rewards) : IRewardScorer
    {
        public string Description => "fixed";

        public IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) => [.. responses.Select(r => new RewardScore(rewards[r]))];
    }
}
