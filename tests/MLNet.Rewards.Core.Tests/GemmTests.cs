using MLNet.Rewards.Heads;
using MLNet.Rewards.Kernels;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

/// <summary>The blocked, register-tiled kernels against textbook triple loops in double, on shapes that hit every edge path.</summary>
[TestClass]
public sealed class GemmTests
{
    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(4, 4, 8)]
    [DataRow(7, 37, 19)]
    [DataRow(9, 70, 300)]
    [DataRow(130, 33, 520)]
    [DataRow(12, 16, 48)]
    [DataRow(6, 21, 1040)]
    public void MultiplyTransposedBMatchesReference(int m, int n, int k)
    {
        var a = RandomValues(m * k, 1);
        var b = RandomValues(n * k, 2);
        var bias = RandomValues(n, 3);
        foreach (bool relu in new[] { false, true })
        {
            var c = RandomValues(m * n, 4);
            Gemm.MultiplyTransposedB(a, b, bias, c, m, n, k, relu);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double expected = bias[j];
                    for (int p = 0; p < k; p++)
                    {
                        expected += (double)a[(i * k) + p] * b[(j * k) + p];
                    }

                    expected = relu ? Math.Max(0, expected) : expected;
                    Assert.AreEqual(expected, c[(i * n) + j], 1e-4 * Math.Sqrt(k), $"c[{i},{j}] relu={relu}");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(4, 8, 32)]
    [DataRow(6, 300, 45)]
    [DataRow(13, 21, 77)]
    [DataRow(64, 260, 40)]
    public void MultiplyMatchesReference(int m, int n, int k)
    {
        var a = RandomValues(m * n, 5);
        var b = RandomValues(n * k, 6);
        var c = RandomValues(m * k, 7);
        Gemm.Multiply(a, b, c, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double expected = 0;
                for (int p = 0; p < n; p++)
                {
                    expected += (double)a[(i * n) + p] * b[(p * k) + j];
                }

                Assert.AreEqual(expected, c[(i * k) + j], 1e-4 * Math.Sqrt(n), $"c[{i},{j}]");
            }
        }
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(32, 8, 32)]
    [DataRow(300, 7, 45)]
    [DataRow(21, 13, 77)]
    public void AddTransposedAMultiplyMatchesReference(int m, int n, int k)
    {
        var a = RandomValues(m * n, 8);
        var b = RandomValues(m * k, 9);
        var start = RandomValues(n * k, 10);
        var c = (float[])start.Clone();
        Gemm.AddTransposedAMultiply(a, b, c, m, n, k);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                double expected = start[(i * k) + j];
                for (int p = 0; p < m; p++)
                {
                    expected += (double)a[(p * n) + i] * b[(p * k) + j];
                }

                Assert.AreEqual(expected, c[(i * k) + j], 1e-4 * Math.Sqrt(m), $"c[{i},{j}]");
            }
        }
    }

    [TestMethod]
    public void ReluBackwardZeroesWhereTheActivationWasNotPositive()
    {
        float[] activation = [1, 0, -2, 3, 0.5f, -1, 0, 2, 4, -3, 1];
        float[] delta = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        Gemm.ReluBackward(activation, delta);
        CollectionAssert.AreEqual(new float[] { 1, 0, 0, 4, 5, 0, 0, 8, 9, 0, 11 }, delta);
    }

    [TestMethod]
    public void ParallelAdamWStepEqualsTheSerialStep()
    {
        int count = (3 << 16) + 13;
        var serialParameters = RandomValues(count, 11);
        var parallelParameters = (float[])serialParameters.Clone();
        var serial = new AdamW(count, new AdamWOptions());
        var parallel = new AdamW(count, new AdamWOptions());
        for (int step = 0; step < 3; step++)
        {
            var gradient = RandomValues(count, 20 + step);
            serial.Step(serialParameters.AsSpan(), gradient);
            parallel.Step(parallelParameters, gradient, maxDegreeOfParallelism: 2);
        }

        CollectionAssert.AreEqual(serialParameters, parallelParameters);
    }

    [TestMethod]
    public void AdamWFirstStepMovesEachParameterByTheLearningRate()
    {
        // With bias correction, Adam's first step is lr·g/(|g| + ε′) ≈ lr·sign(g); decay shrinks p by lr·λ·p first.
        var parameters = new float[] { 1f, -2f, 0.5f };
        var optimizer = new AdamW(3, new AdamWOptions { LearningRate = 0.1f, WeightDecay = 0.01f });
        optimizer.Step(parameters.AsSpan(), new float[] { 0.3f, -4f, 1e-3f });
        Assert.AreEqual((1f * (1 - 0.001f)) - 0.1f, parameters[0], 1e-5f);
        Assert.AreEqual((-2f * (1 - 0.001f)) + 0.1f, parameters[1], 1e-5f);
        Assert.AreEqual((0.5f * (1 - 0.001f)) - 0.1f, parameters[2], 1e-4f);
    }

    [TestMethod]
    public void TrainingIsBitIdenticalForTheSameSeed()
    {
        // Large enough (about 10 M multiply-adds per batch) that every batch is split into two shards.
        var bench = Synthetic.SyntheticPreferenceBenchmark.Create(new Synthetic.SyntheticBenchmarkOptions { Dimension = 24, TrainPairs = 300, TestPairs = 10 });
        var options = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [512, 256] }, MaxEpochs = 2, BatchSize = 75, Seed = 9, MaxDegreeOfParallelism = 2 };
        var first = new PairwiseTrainer(options).Fit(bench.Train).Head.Parameters;
        var second = new PairwiseTrainer(options).Fit(bench.Train).Head.Parameters;
        CollectionAssert.AreEqual(first, second);
    }

    private static float[] RandomValues(int count, long seed)
    {
        var random = new SeededRandom(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.NextGaussian();
        }

        return values;
    }
}
