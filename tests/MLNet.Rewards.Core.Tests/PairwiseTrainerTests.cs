using System.Numerics.Tensors;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class PairwiseTrainerTests
{
    /// <summary>Pairs whose preference is exactly a hidden linear reward w·x.</summary>
    private static (PairwiseDataset Train, PairwiseDataset Test) LinearPreference(int dimension, int trainPairs, int testPairs, long seed)
    {
        var random = new SeededRandom(seed);
        var w = Enumerable.Range(0, dimension).Select(_ => (float)random.NextGaussian()).ToArray();
        PairwiseDataset Make(int count)
        {
            var chosen = new FloatMatrix(count, dimension);
            var rejected = new FloatMatrix(count, dimension);
            var a = new float[dimension];
            var b = new float[dimension];
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < dimension; j++)
                {
                    a[j] = (float)random.NextGaussian();
                    b[j] = (float)random.NextGaussian();
                }

                bool aWins = TensorPrimitives.Dot(w, a) > TensorPrimitives.Dot(w, b);
                (aWins ? a : b).CopyTo(chosen.Row(i));
                (aWins ? b : a).CopyTo(rejected.Row(i));
            }

            return new PairwiseDataset(chosen, rejected, [.. Enumerable.Range(0, count).Select(i => (ulong)i)]);
        }

        return (Make(trainPairs), Make(testPairs));
    }

    [TestMethod]
    public void LinearHeadRecoversAKnownLinearPreference()
    {
        var (train, test) = LinearPreference(16, 3000, 1000, seed: 11);
        var result = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 30, LearningRate = 0.01f, Seed = 1 }).Fit(train);
        var (_, accuracy) = PairwiseTrainer.Measure(result.Head, test);
        Assert.IsGreaterThan(0.95, accuracy, $"test accuracy {accuracy}");
    }

    [TestMethod]
    public void MlpHeadRecoversAKnownLinearPreference()
    {
        var (train, test) = LinearPreference(16, 3000, 1000, seed: 12);
        var result = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [64, 32] }, MaxEpochs = 30, Seed = 1 }).Fit(train);
        var (_, accuracy) = PairwiseTrainer.Measure(result.Head, test);
        Assert.IsGreaterThan(0.95, accuracy, $"test accuracy {accuracy}");
    }

    [TestMethod]
    public void SameSeedAndDataGiveBitIdenticalWeights()
    {
        var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = 32, TrainPairs = 1500, TestPairs = 10, Seed = 5 });
        var options = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [48, 24] }, MaxEpochs = 4, BatchSize = 50, Seed = 77, MaxDegreeOfParallelism = 2 };
        var a = new PairwiseTrainer(options).Fit(bench.Train).Head.Parameters;
        var b = new PairwiseTrainer(options).Fit(bench.Train).Head.Parameters;
        var c = new PairwiseTrainer(options with { Seed = 78 }).Fit(bench.Train).Head.Parameters;
        CollectionAssert.AreEqual(a, b);
        CollectionAssert.AreNotEqual(a, c);
    }

    [TestMethod]
    public void EarlyStoppingKeepsTheBestEpoch()
    {
        // 40% flipped labels and a large MLP: validation loss turns up quickly.
        var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = 32, TrainPairs = 2000, TestPairs = 10, LabelNoise = 0.4, Seed = 6 });
        var result = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [256, 128] }, MaxEpochs = 40, Patience = 2, LearningRate = 3e-3f, Seed = 3 }).Fit(bench.Train);
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(result.BestEpoch + 2, result.History.Count);
        double best = result.History.Min(e => e.ValidationLoss);
        Assert.AreEqual(best, result.History[result.BestEpoch - 1].ValidationLoss);
        Assert.IsGreaterThan(0, result.ValidationPairs);
    }

    [TestMethod]
    public void LabelSmoothingChangesTheOptimum()
    {
        var (train, _) = LinearPreference(8, 500, 1, seed: 2);
        var plain = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 30, LearningRate = 0.05f, ValidationFraction = 0, Seed = 1 }).Fit(train);
        var smoothed = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 30, LearningRate = 0.05f, ValidationFraction = 0, LabelSmoothing = 0.2f, Seed = 1 }).Fit(train);
        Assert.IsLessThan(TensorPrimitives.Norm(plain.Head.Parameters), TensorPrimitives.Norm(smoothed.Head.Parameters), "smoothing should shrink the weights (softer probabilities)");
    }

    [TestMethod]
    public void BadOptionsAreRejectedWithTheirName()
    {
        var error = Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { BatchSize = 0 }));
        StringAssert.Contains(error.Message, "BatchSize must be at least 1 (got 0)");
        Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { LabelSmoothing = 0.5f }));
        Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainer(new PairwiseTrainerOptions { LearningRate = float.NaN }));
    }

    [TestMethod]
    public void AdamWMatchesAHandComputedStep()
    {
        var optimizer = new AdamW(2, new AdamWOptions { LearningRate = 0.1f, WeightDecay = 0.5f });
        float[] p = [1f, -2f];
        optimizer.Step(p, [0.5f, -0.25f]);
        // Step 1: m̂ = g, v̂ = g², so the Adam step is lr·sign(g) (up to ε); decay multiplies p by 1 − lr·λ = 0.95 first.
        Assert.AreEqual((1f * 0.95f) - 0.1f, p[0], 1e-6f);
        Assert.AreEqual((-2f * 0.95f) + 0.1f, p[1], 1e-6f);
    }
}
