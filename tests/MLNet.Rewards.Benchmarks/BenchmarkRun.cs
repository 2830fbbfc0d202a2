namespace MLNet.Rewards.Benchmarks;

/// <summary>Settings of one benchmark run.</summary>
internal sealed record BenchmarkRunOptions(BenchmarkSize Size, int Repetitions, int Threads, bool WithPeers, string? DataDirectory, string WorkDirectory, string? OutputFile, IReadOnlyList<string> Only, string Command);

/// <summary>Prepares the workloads, measures the machine, runs both sides and reports.</summary>
internal static class BenchmarkRun
{
    public static int Execute(BenchmarkRunOptions options)
    {
        var machine = MachineDescription.Read();
        bool peersInstalled = WorkerProcess.PeersAvailable();
        bool runPeers = options.WithPeers && peersInstalled;
        string peerNote = runPeers
            ? "Peers from Debian's packages for /usr/bin/python3, run without the OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides."
            : options.WithPeers
                ? $"The peers are not installed for {WorkerProcess.PeerPython} (run scripts/install-peers.sh): our side only."
                : "Peers not requested (--no-peers): our side only.";
        Console.Error.WriteLine(peerNote);

        var workloads = BenchmarkPlan.Workloads(options.Size, options.DataDirectory)
            .Where(w => options.Only.Count == 0 || options.Only.Any(o => w.Name.Contains(o, StringComparison.Ordinal))).ToList();
        Console.Error.WriteLine("measuring the machine's peaks");
        var peaks = MachinePeaks.Measure(options.Threads, quick: options.Size == BenchmarkSize.Smoke);
        var results = new List<TaskResult>();
        foreach (var workload in workloads)
        {
            Console.Error.WriteLine($"preparing {workload.Name}: {workload.Description}");
            var files = workload.Prepare(options.WorkDirectory);
            foreach (var task in workload.Tasks)
            {
                int epochs = task == BenchmarkTask.Mlp ? workload.MlpEpochs : 0;
                var settings = new TaskSettings(task, epochs, options.Repetitions, options.Threads, options.Size == BenchmarkSize.Smoke ? 50 : 1000);
                Console.Error.WriteLine($"  {task}: ours");
                var ours = WorkerProcess.RunOurs(files, settings);
                Measurement? peer = null;
                if (runPeers)
                {
                    Console.Error.WriteLine($"  {task}: peer");
                    peer = WorkerProcess.RunPeer(files, settings);
                }

                results.Add(new TaskResult(workload, files, settings, ours, peer));
                int total = workloads.Sum(w => w.Tasks.Count);
                if (options.OutputFile is not null && results.Count < total)
                {
                    // A long run keeps the page current: an interrupted run still leaves the tasks it finished.
                    Write(options, machine, peaks, results, peerNote + $" Partial: {results.Count} of {total} tasks done so far.");
                }
            }
        }

        string report = Write(options, machine, peaks, results, peerNote);
        Console.WriteLine(report);
        return 0;
    }

    private static string Write(BenchmarkRunOptions options, MachineDescription machine, MachinePeaks peaks, IReadOnlyList<TaskResult> results, string note)
    {
        machine.LoadAfter = MachineDescription.LoadAverage();
        string report = Report.Render(machine, peaks, results, options.Command, note, options.Repetitions);
        if (options.OutputFile is not null)
        {
            BenchmarkDocument.Write(options.OutputFile, report);
            Console.Error.WriteLine($"report written to {options.OutputFile}");
        }

        return report;
    }
}
