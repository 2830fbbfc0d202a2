namespace MLNet.Rewards.Benchmarks;

/// <summary>
/// Floating-point operations and bytes moved by each benchmarked stage, counted from the shapes (a multiply-add is 2 FLOPs),
/// and the least time the machine's measured peaks allow for them.
/// </summary>
internal static class WorkModel
{
    /// <summary>FLOPs of one forward pass of one row through the head.</summary>
    public static double ForwardFlops(BenchmarkTask task, int d)
    {
        if (task == BenchmarkTask.Linear)
        {
            return 2.0 * d;
        }

        double flops = 0;
        int previous = d;
        foreach (int size in TaskSettings.Hidden.Append(1))
        {
            flops += 2.0 * previous * size;
            previous = size;
        }

        return flops;
    }

    /// <summary>Parameters of the head.</summary>
    public static double Parameters(BenchmarkTask task, int d)
    {
        if (task == BenchmarkTask.Linear)
        {
            return d;
        }

        double count = 0;
        int previous = d;
        foreach (int size in TaskSettings.Hidden.Append(1))
        {
            count += ((double)previous * size) + size;
            previous = size;
        }

        return count;
    }

    /// <summary>
    /// One MLP training epoch: forward, weight gradients (the same FLOPs again) and input gradients of every layer but the
    /// first (its inputs are data), on two rows per pair.
    /// </summary>
    public static double EpochFlops(int d, int pairs)
    {
        double forward = ForwardFlops(BenchmarkTask.Mlp, d);
        double inputGradients = forward - (2.0 * d * TaskSettings.Hidden[0]);
        return 2.0 * pairs * ((2 * forward) + inputGradients);
    }

    /// <summary>
    /// Bytes one MLP training epoch must move at least: the pairs read once, and per optimiser step the parameters, gradient
    /// and both moments read and parameters and moments written (AdamW).
    /// </summary>
    public static double EpochBytes(int d, int pairs)
    {
        double steps = Math.Ceiling(pairs / (double)TaskSettings.BatchSize);
        return (2.0 * pairs * d * sizeof(float)) + (steps * 7 * Parameters(BenchmarkTask.Mlp, d) * sizeof(float));
    }

    /// <summary>One full-batch loss-and-gradient pass of the linear head: a dot product and a multiply-add per pair difference.</summary>
    public static (double Flops, double Bytes) FullBatchPass(int d, int pairs) => (4.0 * pairs * d, (double)pairs * d * sizeof(float));

    /// <summary>Scoring every training pair (both rows): FLOPs and the bytes of the rows read.</summary>
    public static (double Flops, double Bytes) BatchedScoring(BenchmarkTask task, int d, int pairs)
        => (2.0 * pairs * ForwardFlops(task, d), 2.0 * pairs * d * sizeof(float));

    /// <summary>The least time the peaks allow: the slower of compute and memory.</summary>
    public static double BoundSeconds(double flops, double bytes, MachinePeaks peaks)
        => Math.Max(flops / peaks.PeakFlopsPerSecond, bytes / peaks.BandwidthBytesPerSecond);
}
