using MLNet.Rewards.Kernels;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Tests.MultiObjective;

[TestClass]
public sealed class RidgeRegressionTests
{
    [TestMethod]
    public void CholeskySolvesASmallSystem()
    {
        // A = [[4, 2, 0], [2, 5, 1], [0, 1, 3]], x = [1, -2, 3] => b = A x = [0, -5, 7]
        double[] a = [4, 2, 0, 2, 5, 1, 0, 1, 3];
        var x = Cholesky.Solve(a, [0, -5, 7]);
        CollectionAssert.AreEqual(new[] { 1.0, -2.0, 3.0 }, x.Select(v => Math.Round(v, 10)).ToArray());
    }

    [TestMethod]
    public void CholeskyRejectsAMatrixThatIsNotPositiveDefinite()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Cholesky.Solve([1, 2, 2, 1], [1, 1]));
        StringAssert.Contains(e.Message, "not positive definite");
    }

    [TestMethod]
    [DataRow(40, 6, DisplayName = "more rows than features (primal system)")]
    [DataRow(5, 12, DisplayName = "fewer rows than features (dual system)")]
    public void SolveMatchesTheClosedForm(int rows, int columns)
    {
        var (x, y) = Problem(rows, columns, seed: 3);
        const double penalty = 0.7;
        var expected = ClosedForm(x, y, penalty);
        var actual = RidgeRegression.Solve(x, y, penalty);
        for (int j = 0; j < columns; j++)
        {
            Assert.AreEqual(expected[j], actual[j], 1e-4, $"weight {j}");
        }
    }

    [TestMethod]
    public void MissingTargetsMaskTheirRowsOnly()
    {
        var (x, y) = Problem(30, 4, seed: 8);
        var masked = (float[])y.Clone();
        masked[2] = float.NaN;
        masked[17] = float.NaN;
        var kept = Enumerable.Range(0, 30).Where(i => i is not 2 and not 17).ToArray();
        var subset = new FloatMatrix(kept.Length, 4);
        for (int i = 0; i < kept.Length; i++)
        {
            x.Row(kept[i]).CopyTo(subset.Row(i));
        }

        var expected = RidgeRegression.Solve(subset, [.. kept.Select(i => y[i])], 0.3);
        var actual = RidgeRegression.Solve(x, masked, 0.3);
        CollectionAssert.AreEqual(expected, actual);
        Assert.IsTrue(actual.All(float.IsFinite));
    }

    [TestMethod]
    public void AllTargetsMissingIsAClearError()
    {
        var (x, _) = Problem(5, 3, seed: 1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => RidgeRegression.Solve(x, [float.NaN, float.NaN, float.NaN, float.NaN, float.NaN], 1));
        StringAssert.Contains(e.Message, "every rating is missing");
    }

    [TestMethod]
    public void FitPicksAPenaltyFromTheGridAndRefitsOnAllRows()
    {
        var (x, y) = Problem(200, 8, seed: 5, noise: 0.3);
        var groups = Enumerable.Range(0, 200).Select(i => (ulong)(i / 2)).ToArray();
        var options = new RidgeOptions { Penalties = RidgeOptions.LogSpaced(1e-2, 1e2, 5), Seed = 4 };
        var fit = RidgeRegression.Fit(x, y, groups, options);
        CollectionAssert.Contains(options.Penalties.ToArray(), fit.Penalty);
        Assert.AreEqual(200, fit.Rows);
        Assert.IsTrue(fit.ValidationRows is > 10 and < 100, $"validation rows {fit.ValidationRows}");
        CollectionAssert.AreEqual(RidgeRegression.Solve(x, y, fit.Penalty), fit.Weights);
        Assert.IsTrue(fit.ValidationRmse < 0.5, $"validation RMSE {fit.ValidationRmse} on noise 0.3");
    }

    [TestMethod]
    public void LogSpacedGridHasTheEndsAndEvenRatios()
    {
        var grid = RidgeOptions.LogSpaced(1e-3, 1e3, 7);
        Assert.AreEqual(1e-3, grid[0], 1e-12);
        Assert.AreEqual(1e3, grid[^1], 1e-9);
        Assert.AreEqual(10.0, grid[2] / grid[1], 1e-9);
    }

    [TestMethod]
    public void OptionsValidationNamesTheProblem()
    {
        var e = Assert.ThrowsExactly<InvalidOptionException>(() => new RidgeOptions { Penalties = [1, -1] }.Validate());
        Assert.AreEqual("Penalties must list at least one positive, finite value (got 1,-1)", e.Message);
    }

    /// <summary>y = x·w* + noise for random x.</summary>
    internal static (FloatMatrix X, float[] Y) Problem(int rows, int columns, long seed, double noise = 0.1)
    {
        var random = new SeededRandom(seed);
        var truth = Enumerable.Range(0, columns).Select(_ => random.NextGaussian()).ToArray();
        var x = new FloatMatrix(rows, columns);
        var y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int j = 0; j < columns; j++)
            {
                x.Row(i)[j] = (float)random.NextGaussian();
                sum += x.Row(i)[j] * truth[j];
            }

            y[i] = (float)(sum + (noise * random.NextGaussian()));
        }

        return (x, y);
    }

    /// <summary>(XᵀX + λI)⁻¹Xᵀy by Gauss–Jordan elimination in double: an independent reference.</summary>
    private static double[] ClosedForm(FloatMatrix x, float[] y, double penalty)
    {
        int d = x.Columns;
        var a = new double[d, d + 1];
        for (int p = 0; p < d; p++)
        {
            for (int q = 0; q < d; q++)
            {
                double sum = p == q ? penalty : 0;
                for (int i = 0; i < x.Rows; i++)
                {
                    sum += (double)x.Row(i)[p] * x.Row(i)[q];
                }

                a[p, q] = sum;
            }

            double right = 0;
            for (int i = 0; i < x.Rows; i++)
            {
                right += (double)x.Row(i)[p] * y[i];
            }

            a[p, d] = right;
        }

        for (int col = 0; col < d; col++)
        {
            int pivot = Enumerable.Range(col, d - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int c = 0; c <= d; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (int r = 0; r < d; r++)
            {
                if (r != col)
                {
                    double factor = a[r, col] / a[col, col];
                    for (int c = col; c <= d; c++)
                    {
                        a[r, c] -= factor * a[col, c];
                    }
                }
            }
        }

        return [.. Enumerable.Range(0, d).Select(j => a[j, d] / a[j, j])];
    }
}
