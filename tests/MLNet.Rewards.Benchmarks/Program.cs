using System.CommandLine;
using System.Text.Json;
using MLNet.Rewards.Benchmarks;

// The side-by-side benchmark. Without a subcommand it prepares the workloads, measures the machine, runs every (workload,
// task) on our side and the peers' (each in its own process), prints one Markdown report and optionally writes it to a file.
// 'worker' is the child process of our side; it prints one JSON measurement.
var size = new Option<BenchmarkSize>("--size") { Description = "Full (the issue's workloads) or Smoke (seconds; for CI).", DefaultValueFactory = _ => BenchmarkSize.Full };
var repetitions = new Option<int>("--repetitions") { Description = "Repetitions of every timed figure; the report shows medians.", DefaultValueFactory = _ => 3 };
var threads = new Option<int>("--threads") { Description = "Cores each side may use.", DefaultValueFactory = _ => 2 };
var peers = new Option<bool>("--no-peers") { Description = "Run our side only, even when the peers are installed." };
var data = new Option<DirectoryInfo?>("--data") { Description = "Folder of the shared preference files (alpaca-eval-*.jsonl.gz); without it the shared-data workload is skipped." };
var work = new Option<DirectoryInfo>("--work") { Description = "Where the workloads' .npy files are written once and reused.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(Path.GetTempPath(), "mlnet-rewards-bench")) };
var output = new Option<FileInfo?>("--output") { Description = "Also write the report (Markdown) to this file." };
var only = new Option<string[]>("--only") { Description = "Run only the workloads whose names contain one of these strings.", AllowMultipleArgumentsPerToken = true };
var command = new Option<string>("--command") { Description = "The command line to name in the report.", DefaultValueFactory = _ => "bash scripts/bench.sh" };

var workload = new Option<DirectoryInfo>("--workload") { Required = true };
var task = new Option<BenchmarkTask>("--task") { Required = true };
var epochs = new Option<int>("--epochs") { Required = true };
var singlePairs = new Option<int>("--single-pairs") { DefaultValueFactory = _ => 1000 };
var worker = new Command("worker", "Runs our side of one task on one prepared workload and prints a JSON measurement.") { workload, task, epochs, repetitions, threads, singlePairs };
worker.SetAction(parse =>
{
    var settings = new TaskSettings(parse.GetValue(task), parse.GetValue(epochs), parse.GetValue(repetitions), parse.GetValue(threads), parse.GetValue(singlePairs));
    var measurement = OurSide.Run(WorkloadFiles.Open(parse.GetValue(workload)!.FullName), settings);
    Console.WriteLine(JsonSerializer.Serialize(measurement, Measurement.Json));
    return 0;
});

var root = new RootCommand("Benchmarks MLNet.Rewards against PyTorch and scikit-learn on identical inputs.") { size, repetitions, threads, peers, data, work, output, only, command, worker };
root.SetAction(parse => BenchmarkRun.Execute(new BenchmarkRunOptions(
    parse.GetValue(size), parse.GetValue(repetitions), parse.GetValue(threads), !parse.GetValue(peers), parse.GetValue(data)?.FullName,
    parse.GetValue(work)!.FullName, parse.GetValue(output)?.FullName, parse.GetValue(only) ?? [], parse.GetValue(command)!)));
return root.Parse(args).Invoke();
