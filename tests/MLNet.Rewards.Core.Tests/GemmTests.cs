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
    [DataRow(2, 70, 384)]
    [DataRow(3, 9, 20)]
    public void MultiplyTransposedBMatchesReference(int m, int n, int k)
    {
        foreach (bool relu in new[] { false, true })
        {
            CheckMultiplyTransposedB(m, n, k, relu);
        }
    }

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(4, 8, 32)]
    [DataRow(6, 300, 45)]
    [DataRow(13, 21, 77)]
    [DataRow(64, 260, 40)]
    public void MultiplyMatchesReference(int m, int n, int k) => CheckMultiply(m, n, k);

    [TestMethod]
    [DataRow(1, 1, 1)]
    [DataRow(32, 8, 32)]
    [DataRow(300, 7, 45)]
    [DataRow(21, 13, 77)]
    [DataRow(40, 9, 130)]
    public void AddTransposedAMultiplyMatchesReference(int m, int n, int k) => CheckAddTransposedAMultiply(m, n, k);

    [TestMethod]
    [DoNotParallelize] // switches the process-wide kernel choice that concurrent training tests would see
    [DataRow(true, true)]
    [DataRow(false, true)]
    [DataRow(false, false)]
    public void ARowsResultDoesNotDependOnTheRowsComputedWithIt(bool wide, bool tiled)
    {
        // A single request and the same row inside a batch must score bit-identically (ML.NET scores row by row, Core in
        // batches); shapes cover packed and in-place weights and columns outside whole 4-column tiles.
        WithKernels(wide, tiled, () =>
        {
            foreach (var (n, k) in new[] { (37, 300), (70, 1024), (9, 20) })
            {
                var weights = RandomValues(n * k, 11);
                var bias = RandomValues(n, 12);
                var batch = RandomValues(9 * k, 13);
                var together = new float[9 * n];
                Gemm.MultiplyTransposedB(batch, weights, bias, together, 9, n, k, relu: true);
                for (int rows = 1; rows <= 9; rows++)
                {
                    var alone = new float[rows * n];
                    Gemm.MultiplyTransposedB(batch.AsSpan(0, rows * k), weights, bias, alone, rows, n, k, relu: true);
                    CollectionAssert.AreEqual(together.AsSpan(0, rows * n).ToArray(), alone, $"{rows} rows, n {n}, k {k}");
                }
            }
        });
    }

    [TestMethod]
    [DoNotParallelize] // switches the process-wide kernel choice that concurrent training tests would see
    public void TheNarrowKernelsMatchTheReferenceToo()
    {
        // On an AVX-512 machine the 512-bit kernels run; this covers the 256-bit ones used elsewhere.
        WithKernels(wide: false, tiled: Gemm.UseTiledKernels, () =>
        {
            CheckMultiplyTransposedB(130, 33, 520, relu: true);
            CheckMultiplyTransposedB(6, 21, 1040, relu: false);
            CheckMultiply(64, 260, 40);
            CheckMultiply(9, 70, 300);
            CheckAddTransposedAMultiply(300, 7, 45);
            CheckAddTransposedAMultiply(40, 9, 130);
        });
    }

    [TestMethod]
    [DoNotParallelize] // switches the process-wide kernel choice that concurrent training tests would see
    public void ThePortableKernelsMatchTheReferenceToo()
    {
        // Where 256-bit vectors or fused multiply-add are not in hardware (Arm64) the TensorPrimitives forms run.
        WithKernels(wide: Gemm.UseWideKernels, tiled: false, () =>
        {
            Assert.IsFalse(Gemm.UseTiledKernels);
            CheckMultiplyTransposedB(130, 33, 520, relu: true);
            CheckMultiplyTransposedB(7, 37, 19, relu: false);
            CheckMultiplyTransposedB(1, 1, 1, relu: true);
            CheckMultiply(64, 260, 40);
            CheckMultiply(13, 21, 77);
            CheckAddTransposedAMultiply(300, 7, 45);
            CheckAddTransposedAMultiply(21, 13, 77);
        });
    }

    /// <summary>Runs <paramref name="check"/> with the kernel choice switched (where the processor allows it), then restores it.</summary>
    private static void WithKernels(bool wide, bool tiled, Action check)
    {
        bool savedWide = Gemm.UseWideKernels;
        bool savedTiled = Gemm.UseTiledKernels;
        Gemm.UseWideKernels = wide;
        Gemm.UseTiledKernels = tiled;
        try
        {
            check();
        }
        finally
        {
            Gemm.UseWideKernels = savedWide;
            Gemm.UseTiledKernels = savedTiled;
        }
    }

    private static void CheckMultiplyTransposedB(int m, int n, int k, bool relu)
    {
        var a = RandomValues(m * k, 1);
        var b = RandomValues(n * k, 2);
        var bias = RandomValues(n, 3);
        var c = RandomValues(m * n, 4);
        Gemm.MultiplyTransposedB(a, b, bias, c, m, n, k, relu);
        var expected = Reference(m, n, k, (i, p) => a[(i * k) + p], (p, j) => b[(j * k) + p], (i, j) => bias[j]);
        AssertClose(expected, c, k, relu);
    }

    private static void CheckMultiply(int m, int n, int k)
    {
        var a = RandomValues(m * n, 5);
        var b = RandomValues(n * k, 6);
        var c = RandomValues(m * k, 7);
        Gemm.Multiply(a, b, c, m, n, k);
        AssertClose(Reference(m, k, n, (i, p) => a[(i * n) + p], (p, j) => b[(p * k) + j], (i, j) => 0), c, n, relu: false);
    }

    private static void CheckAddTransposedAMultiply(int m, int n, int k)
    {
        var a = RandomValues(m * n, 8);
        var b = RandomValues(m * k, 9);
        var start = RandomValues(n * k, 10);
        var c = (float[])start.Clone();
        Gemm.AddTransposedAMultiply(a, b, c, m, n, k);
        AssertClose(Reference(n, k, m, (i, p) => a[(p * n) + i], (p, j) => b[(p * k) + j], (i, j) => start[(i * k) + j]), c, m, relu: false);
    }

    /// <summary>Textbook product in double: out[i, j] = initial(i, j) + Σ_p left(i, p)·right(p, j).</summary>
    private static double[] Reference(int rows, int cols, int depth, Func<int, int, float> left, Func<int, int, float> right, Func<int, int, float> initial)
    {
        var result = new double[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = initial(i, j);
                for (int p = 0; p < depth; p++)
                {
                    sum += (double)left(i, p) * right(p, j);
                }

                result[(i * cols) + j] = sum;
            }
        }

        return result;
    }

    private static void AssertClose(double[] expected, float[] actual, int depth, bool relu)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double value = relu ? Math.Max(0, expected[i]) : expected[i];
            Assert.AreEqual(value, actual[i], 1e-4 * Math.Sqrt(depth), $"element {i}");
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
