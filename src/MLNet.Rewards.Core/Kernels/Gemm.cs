using System.Numerics.Tensors;

namespace MLNet.Rewards.Kernels;

/// <summary>
/// The three matrix products a dense layer needs, on row-major spans, built on <see cref="TensorPrimitives"/>.
/// Names follow BLAS: N = as stored, T = transposed. All accumulate into or overwrite <c>c</c> as documented.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// c[m, n] = a[m, k] · b[n, k]ᵀ (+ bias[n]): each output is the dot product of a row of <paramref name="a"/> with a row
    /// of <paramref name="b"/>; the forward pass of a dense layer whose weights are stored [out, in].
    /// </summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int n, int k)
    {
        CheckSizes(a.Length, m * k, b.Length, n * k, c.Length, m * n);
        const int RowBlock = 4;
        int i = 0;
        for (; i + RowBlock <= m; i += RowBlock)
        {
            var a0 = a.Slice(i * k, k);
            var a1 = a.Slice((i + 1) * k, k);
            var a2 = a.Slice((i + 2) * k, k);
            var a3 = a.Slice((i + 3) * k, k);
            for (int j = 0; j < n; j++)
            {
                var bj = b.Slice(j * k, k);
                float bj0 = bias.IsEmpty ? 0f : bias[j];
                c[(i * n) + j] = TensorPrimitives.Dot(a0, bj) + bj0;
                c[((i + 1) * n) + j] = TensorPrimitives.Dot(a1, bj) + bj0;
                c[((i + 2) * n) + j] = TensorPrimitives.Dot(a2, bj) + bj0;
                c[((i + 3) * n) + j] = TensorPrimitives.Dot(a3, bj) + bj0;
            }
        }

        for (; i < m; i++)
        {
            var ai = a.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                c[(i * n) + j] = TensorPrimitives.Dot(ai, b.Slice(j * k, k)) + (bias.IsEmpty ? 0f : bias[j]);
            }
        }
    }

    /// <summary>c[m, k] = a[m, n] · b[n, k]: back-propagates a dense layer's output gradient to its input.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        CheckSizes(a.Length, m * n, b.Length, n * k, c.Length, m * k);
        c[..(m * k)].Clear();
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * k, k);
            var ai = a.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                float s = ai[j];
                if (s != 0f)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(j * k, k), s, ci, ci);
                }
            }
        }
    }

    /// <summary>c[n, k] += a[m, n]ᵀ · b[m, k]: accumulates a dense layer's weight gradient.</summary>
    public static void AddTransposedAMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        CheckSizes(a.Length, m * n, b.Length, m * k, c.Length, n * k);
        for (int i = 0; i < m; i++)
        {
            var bi = b.Slice(i * k, k);
            var ai = a.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                float s = ai[j];
                if (s != 0f)
                {
                    var cj = c.Slice(j * k, k);
                    TensorPrimitives.MultiplyAdd(bi, s, cj, cj);
                }
            }
        }
    }

    /// <summary>sums[n] += Σ_i a[i, n]: accumulates a dense layer's bias gradient.</summary>
    public static void AddColumnSums(ReadOnlySpan<float> a, Span<float> sums, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.Add(sums[..n], a.Slice(i * n, n), sums[..n]);
        }
    }

    private static void CheckSizes(int aLength, int aNeeded, int bLength, int bNeeded, int cLength, int cNeeded)
    {
        if (aLength < aNeeded || bLength < bNeeded || cLength < cNeeded)
        {
            throw new ArgumentException($"matrix buffers too small: a {aLength}/{aNeeded}, b {bLength}/{bNeeded}, c {cLength}/{cNeeded}");
        }
    }
}
