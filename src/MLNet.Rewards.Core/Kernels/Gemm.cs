using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.Rewards.Kernels;

/// <summary>
/// The three matrix products a dense layer needs, on row-major spans. Names follow BLAS: N = as stored, T = transposed.
/// All accumulate into or overwrite <c>c</c> as documented.
/// </summary>
/// <remarks>
/// The kernels are register-tiled on <see cref="Vector512{T}"/> where the processor accelerates it (else
/// <see cref="Vector256{T}"/>) and blocked so that the panel of <c>b</c> a tile works on
/// stays in the L1 cache. Each output element is always computed by the same sequence of fused multiply-adds, so results
/// depend only on the shapes, never on timing: training stays bit-reproducible. Where 256-bit vectors or fused
/// multiply-add are not in hardware (Arm64's 128-bit NEON, x86 before AVX2), <see cref="Vector256{T}"/> would be emulated
/// a lane at a time (training 40x slower, measured with AVX2 switched off); the products then run as dot products and
/// row updates on TensorPrimitives, which use the vectors the processor has.
/// </remarks>
[SkipLocalsInit]
internal static class Gemm
{
    private const int Lanes = 8;

    /// <summary>Depth of one block of the dot-product kernel: 512 floats, long enough to amortise the horizontal sums.</summary>
    private const int DepthBlock = 512;

    /// <summary>
    /// Rows of <c>b</c> per block of the dot-product kernel: 8 rows x 2 KB stay in L1 across the row tiles even when they are
    /// read in place at a 4 KB stride (more such rows would map to the same cache sets than the cache has ways).
    /// </summary>
    private const int ColumnBlock = 8;

    /// <summary>Inner-dimension block of the outer-product kernel: the packed <c>b</c> panel is 256 rows x one tile (32 or 64 floats).</summary>
    private const int InnerBlock = 256;

    /// <summary>Packed rows are padded to a multiple of this: the widest vector either kernel loads.</summary>
    private const int PadLanes = 16;

    private static bool s_wide = Vector512.IsHardwareAccelerated;

    private static bool s_tiled = TiledKernelsSupported;

    /// <summary>
    /// Whether the 512-bit kernels run: twice the multiply-adds per instruction of the 256-bit ones, used wherever the
    /// processor accelerates them (AVX-512). Tests switch it off to check the 256-bit kernels on such machines too.
    /// </summary>
    internal static bool UseWideKernels
    {
        get => s_wide;
        set => s_wide = value && Vector512.IsHardwareAccelerated;
    }

    /// <summary>
    /// Whether the register-tiled kernels run (the default wherever 256-bit vectors and fused multiply-add are in
    /// hardware); otherwise the TensorPrimitives forms do. Tests switch it off to check those on such machines too.
    /// </summary>
    internal static bool UseTiledKernels
    {
        get => s_tiled;
        set => s_tiled = value && TiledKernelsSupported;
    }

    private static bool TiledKernelsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

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

        if (k > 0 && s_tiled)
        {
            MultiplyTransposedBTiled(a, b, c, m, n, k);
        }
        else if (k > 0)
        {
            MultiplyTransposedBByDotProducts(a, b, c, m, n, k);
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

    /// <summary>
    /// The blocked body of <see cref="MultiplyTransposedB(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>
    /// (any number of rows): a depth block of a is packed (zero-padded to whole vectors); b is read in place when its rows are whole
    /// vectors (the weights are read once per call, so copying them would double the traffic), else packed too.
    /// </summary>
    private static unsafe void MultiplyTransposedBTiled(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        bool inPlace = k % PadLanes == 0;
        bool wide = s_wide;
        int depthPadded = RoundUp(Math.Min(k, DepthBlock));
        var aPack = PackBuffers.A(m * depthPadded);
        var bPack = PackBuffers.B(inPlace ? 1 : ColumnBlock * depthPadded);
        fixed (float* aPacked = aPack, bPacked = bPack, bSource = b)
        {
            for (int k0 = 0; k0 < k; k0 += DepthBlock)
            {
                int kc = Math.Min(DepthBlock, k - k0);
                int kp = RoundUp(kc);
                bool first = k0 == 0;
                PackRows(a, k, k0, kc, kp, m, aPack);
                for (int j0 = 0; j0 < n; j0 += ColumnBlock)
                {
                    int jc = Math.Min(ColumnBlock, n - j0);
                    float* bBlock = bPacked;
                    int bStride = kp;
                    if (inPlace)
                    {
                        bBlock = bSource + ((long)j0 * k) + k0;
                        bStride = k;
                    }
                    else
                    {
                        PackRows(b[(j0 * k)..], k, k0, kc, kp, jc, bPack);
                    }

                    int i = 0;
                    for (; i + 4 <= m; i += 4)
                    {
                        int j = 0;
                        for (; j + 4 <= jc; j += 4)
                        {
                            if (wide)
                            {
                                DotTile4x4Wide(aPacked + (i * kp), kp, bBlock + (j * bStride), bStride, kp, c, (i * n) + j0 + j, n, first);
                            }
                            else
                            {
                                DotTile4x4(aPacked + (i * kp), kp, bBlock + (j * bStride), bStride, kp, c, (i * n) + j0 + j, n, first);
                            }
                        }

                        for (; j < jc; j++)
                        {
                            for (int r = i; r < i + 4; r++)
                            {
                                DotOne(aPacked + (r * kp), bBlock + (j * bStride), kp, c, (r * n) + j0 + j, first);
                            }
                        }
                    }

                    // Rows outside a 4-row tile (a single request, or the last rows of a batch) get the tile's own
                    // accumulation for one row, so a row's result never depends on the rows computed with it.
                    for (; i < m; i++)
                    {
                        int j = 0;
                        for (; j + 4 <= jc; j += 4)
                        {
                            if (wide)
                            {
                                DotRow1x4Wide(aPacked + (i * kp), bBlock + (j * bStride), bStride, kp, c, (i * n) + j0 + j, first);
                            }
                            else
                            {
                                DotRow1x4(aPacked + (i * kp), bBlock + (j * bStride), bStride, kp, c, (i * n) + j0 + j, first);
                            }
                        }

                        for (; j < jc; j++)
                        {
                            DotOne(aPacked + (i * kp), bBlock + (j * bStride), kp, c, (i * n) + j0 + j, first);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The portable body of <see cref="MultiplyTransposedB(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool)"/>:
    /// one TensorPrimitives dot product per output, a row of b against every row of a while it is in the L1 cache. Each
    /// output is a function of its two rows alone, so a row's result still does not depend on the rows computed with it.
    /// </summary>
    private static void MultiplyTransposedBByDotProducts(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        for (int j = 0; j < n; j++)
        {
            var column = b.Slice(j * k, k);
            for (int i = 0; i < m; i++)
            {
                c[(i * n) + j] = TensorPrimitives.Dot(a.Slice(i * k, k), column);
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
        for (; Vector256.IsHardwareAccelerated && i + Lanes <= delta.Length; i += Lanes)
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
    /// stored) and the transposed one (A read down its columns) without the caller copying A. Blocks of A and panels of b
    /// are packed into contiguous buffers first: weight rows are often 4 KB apart, and at that stride the L1 cache would
    /// hold only a few of them.
    /// </summary>
    private static void OuterProductAccumulate(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int rows, int depth, int cols)
    {
        if (!s_tiled)
        {
            OuterProductAccumulateByRowUpdates(a, rowStride, depthStride, b, c, rows, depth, cols);
            return;
        }

        bool wide = s_wide;
        int tileColumns = wide ? 64 : 32;
        int tiles = rows / 4;
        var aPack = PackBuffers.A(tiles * 4 * Math.Min(depth, InnerBlock));
        var bPack = PackBuffers.B(tileColumns * Math.Min(depth, InnerBlock));
        for (int p0 = 0; p0 < depth; p0 += InnerBlock)
        {
            int pc = Math.Min(InnerBlock, depth - p0);
            for (int t = 0; t < tiles; t++)
            {
                var tile = aPack.AsSpan(t * pc * 4, pc * 4);
                for (int p = 0; p < pc; p++)
                {
                    int at = (4 * t * rowStride) + ((p0 + p) * depthStride);
                    tile[4 * p] = a[at];
                    tile[(4 * p) + 1] = a[at + rowStride];
                    tile[(4 * p) + 2] = a[at + (2 * rowStride)];
                    tile[(4 * p) + 3] = a[at + (3 * rowStride)];
                }
            }

            int col = 0;
            for (; col + tileColumns <= cols; col += tileColumns)
            {
                for (int p = 0; p < pc; p++)
                {
                    b.Slice(((p0 + p) * cols) + col, tileColumns).CopyTo(bPack.AsSpan(p * tileColumns, tileColumns));
                }

                for (int t = 0; t < tiles; t++)
                {
                    if (wide)
                    {
                        OuterTile4x64(aPack, t * pc * 4, bPack, pc, c, (4 * t * cols) + col, cols);
                    }
                    else
                    {
                        OuterTile4x32(aPack, t * pc * 4, bPack, pc, c, (4 * t * cols) + col, cols);
                    }
                }

                for (int i = 4 * tiles; i < rows; i++)
                {
                    OuterRow(a, rowStride, depthStride, bPack, 0, tileColumns, c, i, col, tileColumns / Lanes, p0, pc, cols);
                }
            }

            int vectorColumns = (cols - col) / Lanes;
            if (vectorColumns > 0)
            {
                for (int i = 0; i < rows; i++)
                {
                    OuterRow(a, rowStride, depthStride, b, (p0 * cols) + col, cols, c, i, col, vectorColumns, p0, pc, cols);
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

    /// <summary>
    /// The portable body of <see cref="OuterProductAccumulate"/>: each row of c gains A(i, p) times row p of b, one
    /// TensorPrimitives multiply-add per depth step, in depth order.
    /// </summary>
    private static void OuterProductAccumulateByRowUpdates(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int rows, int depth, int cols)
    {
        for (int i = 0; i < rows; i++)
        {
            var row = c.Slice(i * cols, cols);
            for (int p = 0; p < depth; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * cols, cols), a[(i * rowStride) + (p * depthStride)], row, row);
            }
        }
    }

    /// <summary>c[4 rows, 32 columns] += packed A tile (4 values per depth step) · packed b panel (32 values per depth step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void OuterTile4x32(float[] aPack, int aOffset, float[] bPack, int depth, Span<float> c, int cOffset, int cols)
    {
        fixed (float* aBase = &aPack[aOffset], bBase = bPack, cBase = &c[cOffset])
        {
            float* c0 = cBase, c1 = c0 + cols, c2 = c1 + cols, c3 = c2 + cols;
            var s00 = Vector256.Load(c0); var s01 = Vector256.Load(c0 + 8); var s02 = Vector256.Load(c0 + 16); var s03 = Vector256.Load(c0 + 24);
            var s10 = Vector256.Load(c1); var s11 = Vector256.Load(c1 + 8); var s12 = Vector256.Load(c1 + 16); var s13 = Vector256.Load(c1 + 24);
            var s20 = Vector256.Load(c2); var s21 = Vector256.Load(c2 + 8); var s22 = Vector256.Load(c2 + 16); var s23 = Vector256.Load(c2 + 24);
            var s30 = Vector256.Load(c3); var s31 = Vector256.Load(c3 + 8); var s32 = Vector256.Load(c3 + 16); var s33 = Vector256.Load(c3 + 24);
            float* ap = aBase;
            float* bp = bBase;
            for (int p = 0; p < depth; p++)
            {
                var b0 = Vector256.Load(bp);
                var b1 = Vector256.Load(bp + 8);
                var b2 = Vector256.Load(bp + 16);
                var b3 = Vector256.Load(bp + 24);
                var a0 = Vector256.Create(ap[0]);
                s00 = Vector256.FusedMultiplyAdd(a0, b0, s00); s01 = Vector256.FusedMultiplyAdd(a0, b1, s01); s02 = Vector256.FusedMultiplyAdd(a0, b2, s02); s03 = Vector256.FusedMultiplyAdd(a0, b3, s03);
                var a1 = Vector256.Create(ap[1]);
                s10 = Vector256.FusedMultiplyAdd(a1, b0, s10); s11 = Vector256.FusedMultiplyAdd(a1, b1, s11); s12 = Vector256.FusedMultiplyAdd(a1, b2, s12); s13 = Vector256.FusedMultiplyAdd(a1, b3, s13);
                var a2 = Vector256.Create(ap[2]);
                s20 = Vector256.FusedMultiplyAdd(a2, b0, s20); s21 = Vector256.FusedMultiplyAdd(a2, b1, s21); s22 = Vector256.FusedMultiplyAdd(a2, b2, s22); s23 = Vector256.FusedMultiplyAdd(a2, b3, s23);
                var a3 = Vector256.Create(ap[3]);
                s30 = Vector256.FusedMultiplyAdd(a3, b0, s30); s31 = Vector256.FusedMultiplyAdd(a3, b1, s31); s32 = Vector256.FusedMultiplyAdd(a3, b2, s32); s33 = Vector256.FusedMultiplyAdd(a3, b3, s33);
                ap += 4;
                bp += 32;
            }

            s00.Store(c0); s01.Store(c0 + 8); s02.Store(c0 + 16); s03.Store(c0 + 24);
            s10.Store(c1); s11.Store(c1 + 8); s12.Store(c1 + 16); s13.Store(c1 + 24);
            s20.Store(c2); s21.Store(c2 + 8); s22.Store(c2 + 16); s23.Store(c2 + 24);
            s30.Store(c3); s31.Store(c3 + 8); s32.Store(c3 + 16); s33.Store(c3 + 24);
        }
    }

    /// <summary>The 512-bit form of <see cref="OuterTile4x32"/>: c[4 rows, 64 columns] += packed A tile · packed b panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void OuterTile4x64(float[] aPack, int aOffset, float[] bPack, int depth, Span<float> c, int cOffset, int cols)
    {
        fixed (float* aBase = &aPack[aOffset], bBase = bPack, cBase = &c[cOffset])
        {
            float* c0 = cBase, c1 = c0 + cols, c2 = c1 + cols, c3 = c2 + cols;
            var s00 = Vector512.Load(c0); var s01 = Vector512.Load(c0 + 16); var s02 = Vector512.Load(c0 + 32); var s03 = Vector512.Load(c0 + 48);
            var s10 = Vector512.Load(c1); var s11 = Vector512.Load(c1 + 16); var s12 = Vector512.Load(c1 + 32); var s13 = Vector512.Load(c1 + 48);
            var s20 = Vector512.Load(c2); var s21 = Vector512.Load(c2 + 16); var s22 = Vector512.Load(c2 + 32); var s23 = Vector512.Load(c2 + 48);
            var s30 = Vector512.Load(c3); var s31 = Vector512.Load(c3 + 16); var s32 = Vector512.Load(c3 + 32); var s33 = Vector512.Load(c3 + 48);
            float* ap = aBase;
            float* bp = bBase;
            for (int p = 0; p < depth; p++)
            {
                var b0 = Vector512.Load(bp);
                var b1 = Vector512.Load(bp + 16);
                var b2 = Vector512.Load(bp + 32);
                var b3 = Vector512.Load(bp + 48);
                var a0 = Vector512.Create(ap[0]);
                s00 = Vector512.FusedMultiplyAdd(a0, b0, s00); s01 = Vector512.FusedMultiplyAdd(a0, b1, s01); s02 = Vector512.FusedMultiplyAdd(a0, b2, s02); s03 = Vector512.FusedMultiplyAdd(a0, b3, s03);
                var a1 = Vector512.Create(ap[1]);
                s10 = Vector512.FusedMultiplyAdd(a1, b0, s10); s11 = Vector512.FusedMultiplyAdd(a1, b1, s11); s12 = Vector512.FusedMultiplyAdd(a1, b2, s12); s13 = Vector512.FusedMultiplyAdd(a1, b3, s13);
                var a2 = Vector512.Create(ap[2]);
                s20 = Vector512.FusedMultiplyAdd(a2, b0, s20); s21 = Vector512.FusedMultiplyAdd(a2, b1, s21); s22 = Vector512.FusedMultiplyAdd(a2, b2, s22); s23 = Vector512.FusedMultiplyAdd(a2, b3, s23);
                var a3 = Vector512.Create(ap[3]);
                s30 = Vector512.FusedMultiplyAdd(a3, b0, s30); s31 = Vector512.FusedMultiplyAdd(a3, b1, s31); s32 = Vector512.FusedMultiplyAdd(a3, b2, s32); s33 = Vector512.FusedMultiplyAdd(a3, b3, s33);
                ap += 4;
                bp += 64;
            }

            s00.Store(c0); s01.Store(c0 + 16); s02.Store(c0 + 32); s03.Store(c0 + 48);
            s10.Store(c1); s11.Store(c1 + 16); s12.Store(c1 + 32); s13.Store(c1 + 48);
            s20.Store(c2); s21.Store(c2 + 16); s22.Store(c2 + 32); s23.Store(c2 + 48);
            s30.Store(c3); s31.Store(c3 + 16); s32.Store(c3 + 32); s33.Store(c3 + 48);
        }
    }

    /// <summary>
    /// One output row, <paramref name="vectors"/> vectors wide, with b read from <paramref name="bOffset"/> at
    /// <paramref name="bStride"/> per depth step: the rows and columns the 4 x 32 tile does not cover.
    /// </summary>
    private static void OuterRow(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, int bOffset, int bStride, Span<float> c, int i, int col, int vectors, int p0, int pc, int cols)
    {
        ref float bRef = ref MemoryMarshal.GetReference(b);
        ref float cRef = ref MemoryMarshal.GetReference(c);
        for (int v = 0; v < vectors; v++)
        {
            nuint cIndex = (nuint)((i * cols) + col + (v * Lanes));
            var sum = Vector256.LoadUnsafe(ref cRef, cIndex);
            for (int p = 0; p < pc; p++)
            {
                var av = Vector256.Create(a[(i * rowStride) + ((p0 + p) * depthStride)]);
                sum = Vector256.FusedMultiplyAdd(av, Vector256.LoadUnsafe(ref bRef, (nuint)(bOffset + (p * bStride) + (v * Lanes))), sum);
            }

            sum.StoreUnsafe(ref cRef, cIndex);
        }
    }

    /// <summary>
    /// Sixteen dot products at once: four rows of a (from <paramref name="a0"/>, <paramref name="aStride"/> apart) against four
    /// rows of b, over <paramref name="depth"/> floats (a multiple of the vector width), written to c
    /// (<paramref name="first"/>) or added to it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotTile4x4(float* a0, int aStride, float* b0, int bStride, int depth, Span<float> c, int cOffset, int n, bool first)
    {
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector256<float> s30 = default, s31 = default, s32 = default, s33 = default;
        {
            float* a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
            float* b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
            for (int p = 0; p < depth; p += Lanes)
            {
                var x0 = Vector256.Load(a0 + p);
                var x1 = Vector256.Load(a1 + p);
                var x2 = Vector256.Load(a2 + p);
                var x3 = Vector256.Load(a3 + p);
                var y = Vector256.Load(b0 + p);
                s00 = Vector256.FusedMultiplyAdd(x0, y, s00); s10 = Vector256.FusedMultiplyAdd(x1, y, s10); s20 = Vector256.FusedMultiplyAdd(x2, y, s20); s30 = Vector256.FusedMultiplyAdd(x3, y, s30);
                y = Vector256.Load(b1 + p);
                s01 = Vector256.FusedMultiplyAdd(x0, y, s01); s11 = Vector256.FusedMultiplyAdd(x1, y, s11); s21 = Vector256.FusedMultiplyAdd(x2, y, s21); s31 = Vector256.FusedMultiplyAdd(x3, y, s31);
                y = Vector256.Load(b2 + p);
                s02 = Vector256.FusedMultiplyAdd(x0, y, s02); s12 = Vector256.FusedMultiplyAdd(x1, y, s12); s22 = Vector256.FusedMultiplyAdd(x2, y, s22); s32 = Vector256.FusedMultiplyAdd(x3, y, s32);
                y = Vector256.Load(b3 + p);
                s03 = Vector256.FusedMultiplyAdd(x0, y, s03); s13 = Vector256.FusedMultiplyAdd(x1, y, s13); s23 = Vector256.FusedMultiplyAdd(x2, y, s23); s33 = Vector256.FusedMultiplyAdd(x3, y, s33);
            }

            // The accumulators go to memory first: consuming them in registers makes the JIT spill them inside the loop.
            Vector256<float>* sums = stackalloc Vector256<float>[16];
            sums[0] = s00; sums[1] = s01; sums[2] = s02; sums[3] = s03;
            sums[4] = s10; sums[5] = s11; sums[6] = s12; sums[7] = s13;
            sums[8] = s20; sums[9] = s21; sums[10] = s22; sums[11] = s23;
            sums[12] = s30; sums[13] = s31; sums[14] = s32; sums[15] = s33;
            StoreSums(sums, c, cOffset, n, first);
        }
    }

    /// <summary>The 512-bit form of <see cref="DotTile4x4"/> (the packed depth is a multiple of 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotTile4x4Wide(float* a0, int aStride, float* b0, int bStride, int depth, Span<float> c, int cOffset, int n, bool first)
    {
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<float> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<float> s30 = default, s31 = default, s32 = default, s33 = default;
        {
            float* a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
            float* b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
            for (int p = 0; p < depth; p += 16)
            {
                var x0 = Vector512.Load(a0 + p);
                var x1 = Vector512.Load(a1 + p);
                var x2 = Vector512.Load(a2 + p);
                var x3 = Vector512.Load(a3 + p);
                var y = Vector512.Load(b0 + p);
                s00 = Vector512.FusedMultiplyAdd(x0, y, s00); s10 = Vector512.FusedMultiplyAdd(x1, y, s10); s20 = Vector512.FusedMultiplyAdd(x2, y, s20); s30 = Vector512.FusedMultiplyAdd(x3, y, s30);
                y = Vector512.Load(b1 + p);
                s01 = Vector512.FusedMultiplyAdd(x0, y, s01); s11 = Vector512.FusedMultiplyAdd(x1, y, s11); s21 = Vector512.FusedMultiplyAdd(x2, y, s21); s31 = Vector512.FusedMultiplyAdd(x3, y, s31);
                y = Vector512.Load(b2 + p);
                s02 = Vector512.FusedMultiplyAdd(x0, y, s02); s12 = Vector512.FusedMultiplyAdd(x1, y, s12); s22 = Vector512.FusedMultiplyAdd(x2, y, s22); s32 = Vector512.FusedMultiplyAdd(x3, y, s32);
                y = Vector512.Load(b3 + p);
                s03 = Vector512.FusedMultiplyAdd(x0, y, s03); s13 = Vector512.FusedMultiplyAdd(x1, y, s13); s23 = Vector512.FusedMultiplyAdd(x2, y, s23); s33 = Vector512.FusedMultiplyAdd(x3, y, s33);
            }

            // Fold each 16-lane accumulator to 8 lanes in memory, then finish as the 256-bit kernel does.
            Vector256<float>* sums = stackalloc Vector256<float>[16];
            sums[0] = s00.GetLower() + s00.GetUpper(); sums[1] = s01.GetLower() + s01.GetUpper(); sums[2] = s02.GetLower() + s02.GetUpper(); sums[3] = s03.GetLower() + s03.GetUpper();
            sums[4] = s10.GetLower() + s10.GetUpper(); sums[5] = s11.GetLower() + s11.GetUpper(); sums[6] = s12.GetLower() + s12.GetUpper(); sums[7] = s13.GetLower() + s13.GetUpper();
            sums[8] = s20.GetLower() + s20.GetUpper(); sums[9] = s21.GetLower() + s21.GetUpper(); sums[10] = s22.GetLower() + s22.GetUpper(); sums[11] = s23.GetLower() + s23.GetUpper();
            sums[12] = s30.GetLower() + s30.GetUpper(); sums[13] = s31.GetLower() + s31.GetUpper(); sums[14] = s32.GetLower() + s32.GetUpper(); sums[15] = s33.GetLower() + s33.GetUpper();
            StoreSums(sums, c, cOffset, n, first);
        }
    }

    /// <summary>
    /// One row of <see cref="DotTile4x4"/>: the same accumulation and horizontal sums for one row of a against four rows of
    /// b, so its four results are bit-identical to that row's in a 4 x 4 tile, at a quarter of the multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotRow1x4(float* a0, float* b0, int bStride, int depth, Span<float> c, int cOffset, bool first)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        float* b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
        for (int p = 0; p < depth; p += Lanes)
        {
            var x = Vector256.Load(a0 + p);
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b0 + p), s0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b1 + p), s1);
            s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b2 + p), s2);
            s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b3 + p), s3);
        }

        StoreRowSums(HorizontalSum4(s0, s1, s2, s3), c, cOffset, first);
    }

    /// <summary>The 512-bit form of <see cref="DotRow1x4"/>, matching one row of <see cref="DotTile4x4Wide"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotRow1x4Wide(float* a0, float* b0, int bStride, int depth, Span<float> c, int cOffset, bool first)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        float* b1 = b0 + bStride, b2 = b1 + bStride, b3 = b2 + bStride;
        for (int p = 0; p < depth; p += 16)
        {
            var x = Vector512.Load(a0 + p);
            s0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b3 + p), s3);
        }

        var sums = HorizontalSum4(s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper(), s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper());
        StoreRowSums(sums, c, cOffset, first);
    }

    /// <summary>Writes (or adds) one row's four sums into c at <paramref name="cOffset"/>.</summary>
    private static void StoreRowSums(Vector128<float> row, Span<float> c, int cOffset, bool first)
    {
        var target = c.Slice(cOffset, 4);
        if (!first)
        {
            row += Vector128.Create((ReadOnlySpan<float>)target);
        }

        row.CopyTo(target);
    }

    /// <summary>Writes (or adds) the horizontal sums of a 4 x 4 tile of accumulators into c.</summary>
    private static unsafe void StoreSums(Vector256<float>* sums, Span<float> c, int cOffset, int n, bool first)
    {
        if (cOffset + (3 * n) + 4 > c.Length)
        {
            throw new ArgumentException("output tile out of range", nameof(c));
        }

        for (int r = 0; r < 4; r++)
        {
            StoreRowSums(HorizontalSum4(sums[4 * r], sums[(4 * r) + 1], sums[(4 * r) + 2], sums[(4 * r) + 3]), c, cOffset + (r * n), first);
        }
    }

    /// <summary>(Σ s0, Σ s1, Σ s2, Σ s3) of four 8-lane vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> HorizontalSum4(Vector256<float> s0, Vector256<float> s1, Vector256<float> s2, Vector256<float> s3)
    {
        if (Avx.IsSupported)
        {
            // Pairwise adds: three horizontal adds leave each sum split across the two 128-bit halves.
            var pairs = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
            return pairs.GetLower() + pairs.GetUpper();
        }

        return Vector128.Create(Vector256.Sum(s0), Vector256.Sum(s1), Vector256.Sum(s2), Vector256.Sum(s3));
    }

    private static unsafe void DotOne(float* a, float* b, int depth, Span<float> c, int cIndex, bool first)
    {
        float sum = TensorPrimitives.Dot(new ReadOnlySpan<float>(a, depth), new ReadOnlySpan<float>(b, depth));
        c[cIndex] = first ? sum : c[cIndex] + sum;
    }

    /// <summary>Copies columns [k0, k0 + kc) of <paramref name="count"/> rows (stride <paramref name="k"/>) to rows of <paramref name="kp"/> floats, zero-padded.</summary>
    private static void PackRows(ReadOnlySpan<float> source, int k, int k0, int kc, int kp, int count, float[] destination)
    {
        for (int r = 0; r < count; r++)
        {
            var row = destination.AsSpan(r * kp, kp);
            source.Slice((r * k) + k0, kc).CopyTo(row);
            row[kc..].Clear();
        }
    }

    private static int RoundUp(int length) => (length + PadLanes - 1) / PadLanes * PadLanes;

    private static void CheckSizes(int aLength, int aNeeded, int bLength, int bNeeded, int cLength, int cNeeded)
    {
        if (aLength < aNeeded || bLength < bNeeded || cLength < cNeeded)
        {
            throw new ArgumentException($"matrix buffers too small: a {aLength}/{aNeeded}, b {bLength}/{bNeeded}, c {cLength}/{cNeeded}");
        }
    }

    /// <summary>Per-thread packing buffers, grown on demand and reused, so the kernels allocate nothing in steady state.</summary>
    private static class PackBuffers
    {
        [ThreadStatic]
        private static float[]? t_a;

        [ThreadStatic]
        private static float[]? t_b;

        public static float[] A(int length) => Ensure(ref t_a, length);

        public static float[] B(int length) => Ensure(ref t_b, length);

        private static float[] Ensure(ref float[]? buffer, int length)
        {
            if (buffer is null || buffer.Length < length)
            {
                buffer = new float[Math.Max(length, 1)];
            }

            return buffer;
        }
    }
}
