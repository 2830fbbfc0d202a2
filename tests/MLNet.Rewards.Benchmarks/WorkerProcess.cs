using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace MLNet.Rewards.Benchmarks;

/// <summary>Runs one side of one task in a child process and reads back its <see cref="Measurement"/>.</summary>
internal static class WorkerProcess
{
    /// <summary>Debian's Python, which the Debian peer packages are built for (not a pyenv or venv python on PATH).</summary>
    public const string PeerPython = "/usr/bin/python3";

    /// <summary>
    /// OpenBLAS overrides that some machines set for other tools; the peers run without them so that OpenBLAS picks the
    /// kernel for this processor. Only the peer processes are affected.
    /// </summary>
    private static readonly string[] PeerEnvironmentRemovals = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

    public static Measurement RunOurs(WorkloadFiles files, TaskSettings settings)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(WorkerProcess).Assembly.Location);
        }

        foreach (string argument in new[] { "worker", "--workload", files.Folder, "--task", settings.Task.ToString().ToLowerInvariant(), "--epochs", Text(settings.Epochs), "--repetitions", Text(settings.Repetitions), "--threads", Text(settings.Threads), "--single-pairs", Text(settings.SinglePairs) })
        {
            start.ArgumentList.Add(argument);
        }

        return Run(start, "our worker");
    }

    public static Measurement RunPeer(WorkloadFiles files, TaskSettings settings)
    {
        var start = new ProcessStartInfo(PeerPython);
        string script = Path.Combine(AppContext.BaseDirectory, "peers.py");
        foreach (string argument in new[]
        {
            script, "--workload", files.Folder, "--task", settings.Task.ToString().ToLowerInvariant(), "--epochs", Text(settings.Epochs),
            "--batch-size", Text(TaskSettings.BatchSize), "--learning-rate", Text(TaskSettings.LearningRate), "--weight-decay", Text(TaskSettings.WeightDecay),
            "--threads", Text(settings.Threads), "--repetitions", Text(settings.Repetitions), "--single-pairs", Text(settings.SinglePairs), "--hidden",
        }.Concat(TaskSettings.Hidden.Select(h => Text(h))))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string name in PeerEnvironmentRemovals)
        {
            start.Environment.Remove(name);
        }

        start.Environment["OMP_NUM_THREADS"] = Text(settings.Threads);
        start.Environment["OPENBLAS_NUM_THREADS"] = Text(settings.Threads);
        return Run(start, "peer worker");
    }

    /// <summary>True when Debian's Python can import the peers.</summary>
    public static bool PeersAvailable()
    {
        if (!File.Exists(PeerPython))
        {
            return false;
        }

        using var process = Process.Start(new ProcessStartInfo(PeerPython, ["-c", "import torch, sklearn, numpy"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    private static Measurement Run(ProcessStartInfo start, string what)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = false;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start the {what}: {start.FileName}");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the {what} ({start.FileName} {string.Join(' ', start.ArgumentList)}) failed with exit code {process.ExitCode}");
        }

        string? line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return (line is null ? null : JsonSerializer.Deserialize<Measurement>(line, Measurement.Json))
            ?? throw new InvalidOperationException($"the {what} printed no measurement: {output}");
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
