using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.Rewards.Kernels;

/// <summary>
/// The three matrix products a dense layer needs, on row-major spans. Names follow BLAS: N = as stored, T = transposed.
/// All accumulate into or overwrite <c>c</c> as documented.
/// </summary>
/// <remarks>
/// The kernels are register-tiled on <see cref="Vector256{T}"/> and blocked so that the panel of <c>b</c> a tile works on
/// stays in the L1 cache. Each output element is always computed by the same sequence of fused multiply-adds, so results
/// depend only on the shapes, never on timing: training stays bit-reproducible.
/// </remarks>
public static class Gemm
{
    private const int Lanes = 8;

    /// <summary>Depth of one block of the dot-product kernel: 256 floats, so a 4-row tile of each side fits in L1 twice over.</summary>
    private const int DepthBlock = 256;

    /// <summary>Rows of <c>b</c> per block of the dot-product kernel: 32 rows x 1 KB.</summary>
    private const int ColumnBlock = 32;

    /// <summary>Inner-dimension block of the outer-product kernel: the <c>b</c> panel (256 rows x 32 floats) is 32 KB.</summary>
    private const int InnerBlock = 256;

    /// <summary>Columns of one outer-product tile: four vectors.</summary>
    private const int TileColumns = 4 * Lanes;

    /// <summary>
    /// c[m, n] = a[m, k] · b[n, k]ᵀ (+ bias[n]): each output is the dot product of a row of <paramref name="a"/> with a row
    /// of <paramref name="b"/>; the forward pass of a dense layer whose weights are stored [out, in].
    /// </summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int n, int k)
        => MultiplyTransposedB(a, b, bias, c, m, n, k, relu: false);

    /// <summary>
    /// c[m, n] = a[m, k] · b[n, k]ᵀ (+ bias[n]), then max(0, ·) when <paramref name="relu"/> is set: a dense layer's forward
    /// pass with its bias and activation fused into the last pass over the output.
    /// </summary>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int n, int k, bool relu)
    {
        CheckSizes(a.Length, m * k, b.Length, n * k, c.Length, m * n);
        if (!bias.IsEmpty && bias.Length < n)
        {
            throw new ArgumentException($"bias holds {bias.Length} floats, {n} needed", nameof(bias));
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            c[..(m * n)].Clear();
        }

        for (int k0 = 0; k0 < k; k0 += DepthBlock)
        {
            int kc = Math.Min(DepthBlock, k - k0);
            bool first = k0 == 0;
            for (int j0 = 0; j0 < n; j0 += ColumnBlock)
            {
                int jc = Math.Min(ColumnBlock, n - j0);
                int i = 0;
                for (; i + 4 <= m; i += 4)
                {
                    int j = j0;
                    for (; j + 4 <= j0 + jc; j += 4)
                    {
                        DotTile4x4(a, b, c, i, j, n, k, k0, kc, first);
                    }

                    for (; j < j0 + jc; j++)
                    {
                        for (int r = i; r < i + 4; r++)
                        {
                            DotSingle(a, b, c, r, j, n, k, k0, kc, first);
                        }
                    }
                }

                for (; i < m; i++)
                {
                    for (int j = j0; j < j0 + jc; j++)
                    {
                        DotSingle(a, b, c, i, j, n, k, k0, kc, first);
                    }
                }
            }
        }

        if (!bias.IsEmpty || relu)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * n, n);
                if (!bias.IsEmpty)
                {
                    TensorPrimitives.Add(row, bias[..n], row);
                }

                if (relu)
                {
                    TensorPrimitives.Max(row, 0f, row);
                }
            }
        }
    }

    /// <summary>c[m, k] = a[m, n] · b[n, k]: back-propagates a dense layer's output gradient to its input.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        CheckSizes(a.Length, m * n, b.Length, n * k, c.Length, m * k);
        c[..(m * k)].Clear();
        OuterProductAccumulate(a, rowStride: n, depthStride: 1, b, c, m, n, k);
    }

    /// <summary>c[n, k] += a[m, n]ᵀ · b[m, k]: accumulates a dense layer's weight gradient.</summary>
    public static void AddTransposedAMultiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        CheckSizes(a.Length, m * n, b.Length, m * k, c.Length, n * k);
        OuterProductAccumulate(a, rowStride: 1, depthStride: n, b, c, n, m, k);
    }

    /// <summary>sums[n] += Σ_i a[i, n]: accumulates a dense layer's bias gradient.</summary>
    public static void AddColumnSums(ReadOnlySpan<float> a, Span<float> sums, int m, int n)
    {
        for (int i = 0; i < m; i++)
        {
            TensorPrimitives.Add(sums[..n], a.Slice(i * n, n), sums[..n]);
        }
    }

    /// <summary>delta[i] = 0 wherever activation[i] ≤ 0: the derivative of ReLU applied to a back-propagated gradient.</summary>
    public static void ReluBackward(ReadOnlySpan<float> activation, Span<float> delta)
    {
        if (activation.Length < delta.Length)
        {
            throw new ArgumentException($"activation holds {activation.Length} floats, delta {delta.Length}", nameof(activation));
        }

        int i = 0;
        ref float act = ref MemoryMarshal.GetReference(activation);
        ref float del = ref MemoryMarshal.GetReference(delta);
        for (; i + Lanes <= delta.Length; i += Lanes)
        {
            var positive = Vector256.GreaterThan(Vector256.LoadUnsafe(ref act, (nuint)i), Vector256<float>.Zero);
            (Vector256.LoadUnsafe(ref del, (nuint)i) & positive).StoreUnsafe(ref del, (nuint)i);
        }

        for (; i < delta.Length; i++)
        {
            if (activation[i] <= 0f)
            {
                delta[i] = 0f;
            }
        }
    }

    /// <summary>
    /// c[rows, cols] += A · b[depth, cols], where A(i, p) = a[i·rowStride + p·depthStride]: both the plain product (A as
    /// stored) and the transposed one (A read down its columns) without copying A.
    /// </summary>
    private static void OuterProductAccumulate(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int rows, int depth, int cols)
    {
        for (int p0 = 0; p0 < depth; p0 += InnerBlock)
        {
            int pc = Math.Min(InnerBlock, depth - p0);
            int col = 0;
            for (; col + TileColumns <= cols; col += TileColumns)
            {
                int i = 0;
                for (; i + 4 <= rows; i += 4)
                {
                    OuterTile4x32(a, rowStride, depthStride, b, c, i, col, p0, pc, cols);
                }

                for (; i < rows; i++)
                {
                    OuterRow(a, rowStride, depthStride, b, c, i, col, TileColumns / Lanes, p0, pc, cols);
                }
            }

            int vectorColumns = (cols - col) / Lanes;
            if (vectorColumns > 0)
            {
                for (int i = 0; i < rows; i++)
                {
                    OuterRow(a, rowStride, depthStride, b, c, i, col, vectorColumns, p0, pc, cols);
                }

                col += vectorColumns * Lanes;
            }

            for (; col < cols; col++)
            {
                for (int i = 0; i < rows; i++)
                {
                    float sum = c[(i * cols) + col];
                    for (int p = p0; p < p0 + pc; p++)
                    {
                        sum = MathF.FusedMultiplyAdd(a[(i * rowStride) + (p * depthStride)], b[(p * cols) + col], sum);
                    }

                    c[(i * cols) + col] = sum;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OuterTile4x32(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int i, int col, int p0, int pc, int cols)
    {
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        nuint c0 = (nuint)((i * cols) + col), c1 = c0 + (nuint)cols, c2 = c1 + (nuint)cols, c3 = c2 + (nuint)cols;
        var s00 = Vector256.LoadUnsafe(ref cRef, c0); var s01 = Vector256.LoadUnsafe(ref cRef, c0 + 8); var s02 = Vector256.LoadUnsafe(ref cRef, c0 + 16); var s03 = Vector256.LoadUnsafe(ref cRef, c0 + 24);
        var s10 = Vector256.LoadUnsafe(ref cRef, c1); var s11 = Vector256.LoadUnsafe(ref cRef, c1 + 8); var s12 = Vector256.LoadUnsafe(ref cRef, c1 + 16); var s13 = Vector256.LoadUnsafe(ref cRef, c1 + 24);
        var s20 = Vector256.LoadUnsafe(ref cRef, c2); var s21 = Vector256.LoadUnsafe(ref cRef, c2 + 8); var s22 = Vector256.LoadUnsafe(ref cRef, c2 + 16); var s23 = Vector256.LoadUnsafe(ref cRef, c2 + 24);
        var s30 = Vector256.LoadUnsafe(ref cRef, c3); var s31 = Vector256.LoadUnsafe(ref cRef, c3 + 8); var s32 = Vector256.LoadUnsafe(ref cRef, c3 + 16); var s33 = Vector256.LoadUnsafe(ref cRef, c3 + 24);
        nuint aIndex = (nuint)((i * rowStride) + (p0 * depthStride));
        nuint rs = (nuint)rowStride;
        nuint bIndex = (nuint)((p0 * cols) + col);
        for (int p = 0; p < pc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref bRef, bIndex);
            var b1 = Vector256.LoadUnsafe(ref bRef, bIndex + 8);
            var b2 = Vector256.LoadUnsafe(ref bRef, bIndex + 16);
            var b3 = Vector256.LoadUnsafe(ref bRef, bIndex + 24);
            var a0 = Vector256.Create(Unsafe.Add(ref aRef, aIndex));
            s00 = Vector256.FusedMultiplyAdd(a0, b0, s00); s01 = Vector256.FusedMultiplyAdd(a0, b1, s01); s02 = Vector256.FusedMultiplyAdd(a0, b2, s02); s03 = Vector256.FusedMultiplyAdd(a0, b3, s03);
            var a1 = Vector256.Create(Unsafe.Add(ref aRef, aIndex + rs));
            s10 = Vector256.FusedMultiplyAdd(a1, b0, s10); s11 = Vector256.FusedMultiplyAdd(a1, b1, s11); s12 = Vector256.FusedMultiplyAdd(a1, b2, s12); s13 = Vector256.FusedMultiplyAdd(a1, b3, s13);
            var a2 = Vector256.Create(Unsafe.Add(ref aRef, aIndex + (2 * rs)));
            s20 = Vector256.FusedMultiplyAdd(a2, b0, s20); s21 = Vector256.FusedMultiplyAdd(a2, b1, s21); s22 = Vector256.FusedMultiplyAdd(a2, b2, s22); s23 = Vector256.FusedMultiplyAdd(a2, b3, s23);
            var a3 = Vector256.Create(Unsafe.Add(ref aRef, aIndex + (3 * rs)));
            s30 = Vector256.FusedMultiplyAdd(a3, b0, s30); s31 = Vector256.FusedMultiplyAdd(a3, b1, s31); s32 = Vector256.FusedMultiplyAdd(a3, b2, s32); s33 = Vector256.FusedMultiplyAdd(a3, b3, s33);
            aIndex += (nuint)depthStride;
            bIndex += (nuint)cols;
        }

        s00.StoreUnsafe(ref cRef, c0); s01.StoreUnsafe(ref cRef, c0 + 8); s02.StoreUnsafe(ref cRef, c0 + 16); s03.StoreUnsafe(ref cRef, c0 + 24);
        s10.StoreUnsafe(ref cRef, c1); s11.StoreUnsafe(ref cRef, c1 + 8); s12.StoreUnsafe(ref cRef, c1 + 16); s13.StoreUnsafe(ref cRef, c1 + 24);
        s20.StoreUnsafe(ref cRef, c2); s21.StoreUnsafe(ref cRef, c2 + 8); s22.StoreUnsafe(ref cRef, c2 + 16); s23.StoreUnsafe(ref cRef, c2 + 24);
        s30.StoreUnsafe(ref cRef, c3); s31.StoreUnsafe(ref cRef, c3 + 8); s32.StoreUnsafe(ref cRef, c3 + 16); s33.StoreUnsafe(ref cRef, c3 + 24);
    }

    /// <summary>One output row, <paramref name="vectors"/> vectors wide: the edges the 4 x 32 tile does not cover.</summary>
    private static void OuterRow(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int i, int col, int vectors, int p0, int pc, int cols)
    {
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        for (int v = 0; v < vectors; v++)
        {
            nuint cIndex = (nuint)((i * cols) + col + (v * Lanes));
            var sum = Vector256.LoadUnsafe(ref cRef, cIndex);
            for (int p = p0; p < p0 + pc; p++)
            {
                var av = Vector256.Create(a[(i * rowStride) + (p * depthStride)]);
                sum = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref bRef, (nuint)((p * cols) + col + (v * Lanes))), sum);
            }

            sum.StoreUnsafe(ref cRef, cIndex);
        }
    }

    /// <summary>
    /// Sixteen dot products at once: rows i..i+3 of a against rows j..j+3 of b over depth [k0, k0+kc), written to c
    /// (<paramref name="first"/>) or added to it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DotTile4x4(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int i, int j, int n, int k, int k0, int kc, bool first)
    {
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        nuint a0 = (nuint)((i * k) + k0), a1 = a0 + (nuint)k, a2 = a1 + (nuint)k, a3 = a2 + (nuint)k;
        nuint b0 = (nuint)((j * k) + k0), b1 = b0 + (nuint)k, b2 = b1 + (nuint)k, b3 = b2 + (nuint)k;
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector256<float> s30 = default, s31 = default, s32 = default, s33 = default;
        int vectorEnd = kc - (kc % Lanes);
        for (nuint p = 0; p < (nuint)vectorEnd; p += Lanes)
        {
            var x0 = Vector256.LoadUnsafe(ref aRef, a0 + p);
            var x1 = Vector256.LoadUnsafe(ref aRef, a1 + p);
            var x2 = Vector256.LoadUnsafe(ref aRef, a2 + p);
            var x3 = Vector256.LoadUnsafe(ref aRef, a3 + p);
            var y = Vector256.LoadUnsafe(ref bRef, b0 + p);
            s00 = Vector256.FusedMultiplyAdd(x0, y, s00); s10 = Vector256.FusedMultiplyAdd(x1, y, s10); s20 = Vector256.FusedMultiplyAdd(x2, y, s20); s30 = Vector256.FusedMultiplyAdd(x3, y, s30);
            y = Vector256.LoadUnsafe(ref bRef, b1 + p);
            s01 = Vector256.FusedMultiplyAdd(x0, y, s01); s11 = Vector256.FusedMultiplyAdd(x1, y, s11); s21 = Vector256.FusedMultiplyAdd(x2, y, s21); s31 = Vector256.FusedMultiplyAdd(x3, y, s31);
            y = Vector256.LoadUnsafe(ref bRef, b2 + p);
            s02 = Vector256.FusedMultiplyAdd(x0, y, s02); s12 = Vector256.FusedMultiplyAdd(x1, y, s12); s22 = Vector256.FusedMultiplyAdd(x2, y, s22); s32 = Vector256.FusedMultiplyAdd(x3, y, s32);
            y = Vector256.LoadUnsafe(ref bRef, b3 + p);
            s03 = Vector256.FusedMultiplyAdd(x0, y, s03); s13 = Vector256.FusedMultiplyAdd(x1, y, s13); s23 = Vector256.FusedMultiplyAdd(x2, y, s23); s33 = Vector256.FusedMultiplyAdd(x3, y, s33);
        }

        Span<float> tile = stackalloc float[16];
        tile[0] = Vector256.Sum(s00); tile[1] = Vector256.Sum(s01); tile[2] = Vector256.Sum(s02); tile[3] = Vector256.Sum(s03);
        tile[4] = Vector256.Sum(s10); tile[5] = Vector256.Sum(s11); tile[6] = Vector256.Sum(s12); tile[7] = Vector256.Sum(s13);
        tile[8] = Vector256.Sum(s20); tile[9] = Vector256.Sum(s21); tile[10] = Vector256.Sum(s22); tile[11] = Vector256.Sum(s23);
        tile[12] = Vector256.Sum(s30); tile[13] = Vector256.Sum(s31); tile[14] = Vector256.Sum(s32); tile[15] = Vector256.Sum(s33);
        for (int r = 0; r < 4; r++)
        {
            for (int s = 0; s < 4; s++)
            {
                float sum = tile[(r * 4) + s];
                for (int p = vectorEnd; p < kc; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[((i + r) * k) + k0 + p], b[((j + s) * k) + k0 + p], sum);
                }

                ref float target = ref c[((i + r) * n) + j + s];
                target = first ? sum : target + sum;
            }
        }
    }

    private static void DotSingle(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int i, int j, int n, int k, int k0, int kc, bool first)
    {
        float sum = TensorPrimitives.Dot(a.Slice((i * k) + k0, kc), b.Slice((j * k) + k0, kc));
        ref float target = ref c[(i * n) + j];
        target = first ? sum : target + sum;
    }

    private static void CheckSizes(int aLength, int aNeeded, int bLength, int bNeeded, int cLength, int cNeeded)
    {
        if (aLength < aNeeded || bLength < bNeeded || cLength < cNeeded)
        {
            throw new ArgumentException($"matrix buffers too small: a {aLength}/{aNeeded}, b {bLength}/{bNeeded}, c {cLength}/{cNeeded}");
        }
    }
}
