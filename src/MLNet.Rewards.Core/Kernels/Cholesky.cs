namespace MLNet.Rewards.Kernels;

/// <summary>Solves symmetric positive-definite systems A x = b by Cholesky factorisation A = L Lᵀ, in double precision.</summary>
internal static class Cholesky
{
    /// <summary>
    /// Solves <paramref name="matrix"/> x = <paramref name="rightSide"/> for a symmetric positive-definite n x n matrix
    /// (row-major; only its lower triangle is read). The matrix is not modified.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not positive definite (to working precision) or the sizes disagree.</exception>
    public static double[] Solve(ReadOnlySpan<double> matrix, ReadOnlySpan<double> rightSide)
    {
        int n = rightSide.Length;
        if (matrix.Length != n * n)
        {
            throw new ArgumentException($"a {n}-long right side needs a {n} x {n} matrix ({n * n} values), got {matrix.Length}");
        }

        var l = Factor(matrix, n);
        var x = rightSide.ToArray();

        // L y = b
        for (int i = 0; i < n; i++)
        {
            double sum = x[i];
            var row = l.AsSpan(i * n, i);
            for (int k = 0; k < i; k++)
            {
                sum -= row[k] * x[k];
            }

            x[i] = sum / l[(i * n) + i];
        }

        // Lᵀ x = y
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= l[(k * n) + i] * x[k];
            }

            x[i] = sum / l[(i * n) + i];
        }

        return x;
    }

    /// <summary>The lower-triangular factor L (row-major, upper part zero).</summary>
    private static double[] Factor(ReadOnlySpan<double> a, int n)
    {
        var l = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var rowJ = l.AsSpan(j * n, j);
            double diagonal = a[(j * n) + j];
            foreach (double v in rowJ)
            {
                diagonal -= v * v;
            }

            if (!(diagonal > 0))
            {
                throw new ArgumentException($"the matrix is not positive definite (pivot {j} is {diagonal:G3})");
            }

            double pivot = Math.Sqrt(diagonal);
            l[(j * n) + j] = pivot;
            for (int i = j + 1; i < n; i++)
            {
                var rowI = l.AsSpan(i * n, j);
                double sum = a[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= rowI[k] * rowJ[k];
                }

                l[(i * n) + j] = sum / pivot;
            }
        }

        return l;
    }
}
