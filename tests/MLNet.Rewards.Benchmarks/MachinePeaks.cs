using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MLNet.Rewards.Kernels;

namespace MLNet.Rewards.Benchmarks;

/// <summary>
/// The machine's measured limits on the cores the benchmark uses: memory bandwidth (a TensorPrimitives dot product over two
/// buffers far larger than the last-level cache), floating-point peak (independent fused multiply-adds in registers, at the
/// widest vector the runtime accelerates), and what our matrix multiply reaches on a cache-friendly shape.
/// Each is the best of a few tries: a peak is what the machine can do, noise only lowers it.
/// </summary>
/// <param name="BandwidthBytesPerSecond">Streaming read bandwidth with all threads.</param>
/// <param name="PeakFlopsPerSecond">Fused multiply-add peak with all threads (2 FLOPs each).</param>
/// <param name="PeakVectorBits">Vector width of the FMA peak.</param>
/// <param name="GemmFlopsPerSecond">Our <see cref="Gemm.MultiplyTransposedB(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/> with all threads.</param>
internal sealed record MachinePeaks(double BandwidthBytesPerSecond, double PeakFlopsPerSecond, int PeakVectorBits, double GemmFlopsPerSecond)
{
    public static MachinePeaks Measure(int threads, bool quick)
    {
        // Many short tries: on a shared machine a short try is more likely to run undisturbed.
        int tries = quick ? 3 : 20;
        return new MachinePeaks(Bandwidth(threads, quick ? 16 << 20 : 64 << 20, tries / 2), FmaPeak(threads, quick ? 200_000 : 2_000_000, tries, out int bits), bits, GemmPeak(threads, tries));
    }

    private static double Bandwidth(int threads, int floatsPerBuffer, int tries)
    {
        var a = new float[floatsPerBuffer];
        var b = new float[floatsPerBuffer];
        a.AsSpan().Fill(1f);
        b.AsSpan().Fill(0.5f);
        int part = floatsPerBuffer / threads;
        double best = 0;
        double sink = 0;
        for (int t = 0; t < tries; t++)
        {
            var sums = new double[threads];
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => sums[i] = TensorPrimitives.Dot(a.AsSpan(i * part, part), b.AsSpan(i * part, part)));
            double seconds = clock.Elapsed.TotalSeconds;
            sink += sums.Sum();
            best = Math.Max(best, 2.0 * part * threads * sizeof(float) / seconds);
        }

        GC.KeepAlive(sink);
        return best;
    }

    private static double FmaPeak(int threads, int iterations, int tries, out int bits)
    {
        bits = Vector512.IsHardwareAccelerated ? 512 : 256;
        int lanes = bits / 32;
        bool wide = Vector512.IsHardwareAccelerated;
        double best = 0;
        for (int t = 0; t < tries; t++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
            {
                float result = wide ? FmaLoop512(iterations) : FmaLoop256(iterations);
                GC.KeepAlive(result);
            });
            // 12 independent accumulators, one FMA (2 FLOPs per lane) each per iteration.
            best = Math.Max(best, 12.0 * 2 * lanes * iterations * threads / clock.Elapsed.TotalSeconds);
        }

        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop256(int iterations)
    {
        var x = Vector256.Create(0.999f);
        var y = Vector256.Create(1e-7f);
        Vector256<float> s0 = Vector256.Create(1f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
        for (int i = 0; i < iterations; i++)
        {
            s0 = Vector256.FusedMultiplyAdd(s0, x, y); s1 = Vector256.FusedMultiplyAdd(s1, x, y); s2 = Vector256.FusedMultiplyAdd(s2, x, y);
            s3 = Vector256.FusedMultiplyAdd(s3, x, y); s4 = Vector256.FusedMultiplyAdd(s4, x, y); s5 = Vector256.FusedMultiplyAdd(s5, x, y);
            s6 = Vector256.FusedMultiplyAdd(s6, x, y); s7 = Vector256.FusedMultiplyAdd(s7, x, y); s8 = Vector256.FusedMultiplyAdd(s8, x, y);
            s9 = Vector256.FusedMultiplyAdd(s9, x, y); s10 = Vector256.FusedMultiplyAdd(s10, x, y); s11 = Vector256.FusedMultiplyAdd(s11, x, y);
        }

        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop512(int iterations)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> s0 = Vector512.Create(1f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
        for (int i = 0; i < iterations; i++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, x, y); s1 = Vector512.FusedMultiplyAdd(s1, x, y); s2 = Vector512.FusedMultiplyAdd(s2, x, y);
            s3 = Vector512.FusedMultiplyAdd(s3, x, y); s4 = Vector512.FusedMultiplyAdd(s4, x, y); s5 = Vector512.FusedMultiplyAdd(s5, x, y);
            s6 = Vector512.FusedMultiplyAdd(s6, x, y); s7 = Vector512.FusedMultiplyAdd(s7, x, y); s8 = Vector512.FusedMultiplyAdd(s8, x, y);
            s9 = Vector512.FusedMultiplyAdd(s9, x, y); s10 = Vector512.FusedMultiplyAdd(s10, x, y); s11 = Vector512.FusedMultiplyAdd(s11, x, y);
        }

        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }

    /// <summary>A 64 x 1024 x 1024 forward product per thread, the shape of one shard of the MLP's second layer.</summary>
    private static double GemmPeak(int threads, int tries)
    {
        const int M = 64, N = 1024, K = 1024;
        var a = Enumerable.Range(0, M * K).Select(i => (i % 17) * 0.01f).ToArray();
        var b = Enumerable.Range(0, N * K).Select(i => (i % 13) * 0.01f).ToArray();
        var outputs = Enumerable.Range(0, threads).Select(_ => new float[M * N]).ToArray();
        double best = 0;
        for (int t = 0; t < tries + 1; t++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => Gemm.MultiplyTransposedB(a, b, default, outputs[i], M, N, K));
            best = Math.Max(best, 2.0 * M * N * K * threads / clock.Elapsed.TotalSeconds);
        }

        return best;
    }
}
