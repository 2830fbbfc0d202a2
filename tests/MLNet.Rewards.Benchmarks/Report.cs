using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Benchmarks;

/// <summary>One (workload, task) result: our measurement and, when the peers ran, theirs.</summary>
internal sealed record TaskResult(Workload Workload, WorkloadFiles Files, TaskSettings Settings, Measurement Ours, Measurement? Peer);

/// <summary>Renders the results as Markdown: the machine, its measured peaks, one table of medians and ratios, and the bounds.</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(MachineDescription machine, MachinePeaks peaks, IReadOnlyList<TaskResult> results, string command, string peerNote, int repetitions)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"Produced by `{command}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.").AppendLine();
        text.AppendLine(Invariant, $"- Machine: {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGiB:F0} GiB memory; {machine.Runtime}.");
        text.AppendLine(Invariant, $"- Load average before / after the run: {machine.LoadBefore} / {machine.LoadAfter} (other work on the machine slows both sides alike; ratios are measured in one run).");
        text.AppendLine(Invariant, $"- Both sides use {(results.Count > 0 ? results[0].Settings.Threads : 0)} threads. Figures are medians of {repetitions} repetitions. {peerNote}");
        foreach (var kernel in results.Select(r => r.Peer).OfType<Measurement>().Select(p => $"{p.Peer}: {p.Kernel}").Distinct())
        {
            text.AppendLine(Invariant, $"- Peer kernel: {kernel}.");
        }

        text.AppendLine().AppendLine("Measured peaks of this machine on those threads:").AppendLine();
        text.AppendLine("| measure | value |").AppendLine("|---|---:|");
        text.AppendLine(Invariant, $"| memory bandwidth (TensorPrimitives.Dot over 2 buffers of {(peaks.BandwidthBytesPerSecond > 0 ? "≫ L3" : "-")}) | {peaks.BandwidthBytesPerSecond / 1e9:F1} GB/s |");
        text.AppendLine(Invariant, $"| floating-point peak (register FMA loop, {peaks.PeakVectorBits}-bit) | {peaks.PeakFlopsPerSecond / 1e9:F0} GFLOP/s |");
        text.AppendLine(Invariant, $"| our matrix multiply (64 x 1024 x 1024 per thread) | {peaks.GemmFlopsPerSecond / 1e9:F0} GFLOP/s |");

        text.AppendLine().AppendLine("Side by side (speed-up = peer time / our time, or our rate / peer rate; above 1 means we are faster):").AppendLine();
        text.AppendLine("| workload | head | peer | figure | MLNet.Rewards | peer | speed-up |").AppendLine("|---|---|---|---|---:|---:|---:|");
        foreach (var result in results)
        {
            var ours = result.Ours;
            var peer = result.Peer;
            string peerName = peer?.Peer ?? "(not run)";
            string head = result.Settings.Task == BenchmarkTask.Mlp ? "MLP 1024-512" : "linear";
            void Row(string figure, string oursCell, string peerCell, string ratio) =>
                text.AppendLine(Invariant, $"| {result.Workload.Name} | {head} | {peerName} | {figure} | {oursCell} | {peerCell} | {ratio} |");

            double ourTrain = Measurement.Median(ours.TrainSeconds), peerTrain = peer is null ? double.NaN : Measurement.Median(peer.TrainSeconds);
            string training = result.Settings.Task == BenchmarkTask.Mlp
                ? $"training time ({result.Settings.Epochs} epochs, AdamW, batch {TaskSettings.BatchSize})"
                : $"training time to convergence (L-BFGS: ours {ours.Iterations} iterations, peer {(peer?.Iterations is int it ? it.ToString(Invariant) : "-")})";
            Row(training, Seconds(ourTrain), Seconds(peerTrain), Ratio(peerTrain / ourTrain));
            double ourAccuracy = Measurement.Median(ours.Accuracies), peerAccuracy = peer is null ? double.NaN : Measurement.Median(peer.Accuracies);
            Row("test accuracy", Percent(ourAccuracy), Percent(peerAccuracy), double.IsNaN(peerAccuracy) ? "-" : string.Format(Invariant, "{0:+0.00;-0.00} pts", 100 * (ourAccuracy - peerAccuracy)));
            Row("peak memory (process, data included)", Megabytes(ours.PeakRssBytes), peer is null ? "-" : Megabytes(peer.PeakRssBytes), peer is null ? "-" : Ratio((double)peer.PeakRssBytes / ours.PeakRssBytes));
            double ourSingle = Measurement.Median(ours.ScoreSinglePairsPerSecond), peerSingle = peer is null ? double.NaN : Measurement.Median(peer.ScoreSinglePairsPerSecond);
            Row("scoring, one pair per call", Rate(ourSingle), Rate(peerSingle), Ratio(ourSingle / peerSingle));
            double ourBatched = Measurement.Median(ours.ScoreBatchedPairsPerSecond), peerBatched = peer is null ? double.NaN : Measurement.Median(peer.ScoreBatchedPairsPerSecond);
            Row($"scoring, all {result.Files.TrainPairs:N0} train pairs in one call", Rate(ourBatched), Rate(peerBatched), Ratio(ourBatched / peerBatched));
            double ourLoad = Measurement.Median(ours.LoadSeconds), peerLoad = peer is null ? double.NaN : Measurement.Median(peer.LoadSeconds);
            Row("model load", Milliseconds(ourLoad), Milliseconds(peerLoad), Ratio(peerLoad / ourLoad));
        }

        text.AppendLine().AppendLine("How close to the machine's limits our side runs (bound = the slower of FLOPs / FMA peak and bytes / bandwidth; see docs/benchmarks.md for the counting):").AppendLine();
        text.AppendLine("| workload | stage | GFLOP | GB moved | our time | bound time | our time / bound | achieved |").AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results)
        {
            var task = result.Settings.Task;
            int d = result.Files.Dimension, pairs = result.Files.TrainPairs;
            string head = task == BenchmarkTask.Mlp ? "MLP" : "linear";
            if (task == BenchmarkTask.Mlp)
            {
                double epochSeconds = Measurement.Median(result.Ours.TrainSeconds) / result.Settings.Epochs;
                BoundRow(text, result.Workload.Name, "MLP training, one epoch", WorkModel.EpochFlops(d, pairs), WorkModel.EpochBytes(d, pairs), epochSeconds, peaks);
            }
            else
            {
                // Includes forming the differences and the line-search passes: an upper estimate of one pass.
                double iterationSeconds = Measurement.Median(result.Ours.TrainSeconds) / Math.Max(1, result.Ours.Iterations ?? 1);
                var (passFlops, passBytes) = WorkModel.FullBatchPass(d, pairs);
                BoundRow(text, result.Workload.Name, "linear training, per L-BFGS iteration", passFlops, passBytes, iterationSeconds, peaks);
            }

            var (flops, bytes) = WorkModel.BatchedScoring(task, d, pairs);
            BoundRow(text, result.Workload.Name, $"{head} scoring, batched", flops, bytes, pairs / Measurement.Median(result.Ours.ScoreBatchedPairsPerSecond), peaks);
        }

        return text.ToString();
    }

    private static void BoundRow(StringBuilder text, string workload, string stage, double flops, double bytes, double seconds, MachinePeaks peaks)
    {
        double bound = WorkModel.BoundSeconds(flops, bytes, peaks);
        bool computeBound = flops / peaks.PeakFlopsPerSecond >= bytes / peaks.BandwidthBytesPerSecond;
        string achieved = computeBound ? $"{flops / seconds / 1e9:F0} GFLOP/s" : $"{bytes / seconds / 1e9:F1} GB/s";
        text.AppendLine(Invariant, $"| {workload} | {stage} | {flops / 1e9:F1} | {bytes / 1e9:F2} | {Seconds(seconds)} | {Seconds(bound)} | {seconds / bound:F1}x | {achieved} ({(computeBound ? "compute" : "memory")}-bound) |");
    }

    private static string Seconds(double s) => double.IsNaN(s) ? "-" : s >= 1 ? s.ToString("F2", Invariant) + " s" : (s * 1000).ToString("F1", Invariant) + " ms";

    private static string Milliseconds(double s) => double.IsNaN(s) ? "-" : (s * 1000).ToString("F2", Invariant) + " ms";

    private static string Percent(double a) => double.IsNaN(a) ? "-" : (100 * a).ToString("F2", Invariant) + "%";

    private static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("F0", Invariant) + " MB";

    private static string Rate(double r) => double.IsNaN(r) ? "-" : r.ToString("N0", Invariant) + " pairs/s";

    private static string Ratio(double r) => double.IsNaN(r) || double.IsInfinity(r) ? "-" : r.ToString("F2", Invariant) + "x";
}

/// <summary>The machine a run happened on, read from /proc and lscpu-style sources.</summary>
internal sealed record MachineDescription(string Cpu, int Cores, double MemoryGiB, string Runtime, string LoadBefore)
{
    public string LoadAfter { get; set; } = "-";

    public static MachineDescription Read()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
        double memory = 0;
        if (File.Exists("/proc/meminfo"))
        {
            string? line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null)
            {
                memory = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / (1024 * 1024);
            }
        }

        string flags = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "" : "";
        string simd = flags.Contains(" avx512f", StringComparison.Ordinal) ? "AVX-512" : flags.Contains(" avx2", StringComparison.Ordinal) ? "AVX2" : "no AVX2";
        return new MachineDescription($"{cpu} ({simd})", Environment.ProcessorCount, memory, $".NET {Environment.Version}", LoadAverage());
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "-";
}
