using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;
using Spectre.Console;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// <c>demo</c>: the main job. Without data, a synthetic benchmark with a known golden reward; with <c>--data DIR</c>, train on
/// AlpacaEval and evaluate on held-out and out-of-domain sets beside the random and length baselines.
/// </summary>
internal static class DemoCommand
{
    private static readonly double[] NoiseLevels = [0.0, 0.1, 0.2, 0.3, 0.4];

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Folder with the shared preference files (alpaca-eval-train.jsonl.gz, alpaca-eval-test.jsonl.gz, hh-harmless-test.jsonl.gz, llmbar.jsonl.gz, llmbar-processed.jsonl.gz). Without it, runs the synthetic benchmark.",
        };
        var seed = SharedOptions.Seed<long>("Seed of data generation, initialisation and shuffling.");
        var maxTrain = new Option<int>("--max-train") { Description = "Use at most this many training pairs (0 = all): for a quick run.", DefaultValueFactory = _ => 0 };
        var featurizer = new FeaturizerOptions();
        featurizer.Buckets.DefaultValueFactory = _ => 512;
        var maxEval = new Option<int>("--max-eval") { Description = "Use at most this many pairs of each evaluation set (0 = all): for a quick run, e.g. with the ONNX encoder on a busy machine.", DefaultValueFactory = _ => 0 };
        var hidden = SharedOptions.Hidden("Hidden sizes of the MLP head.", 1024, 512);
        var epochs = new Option<int>("--epochs") { Description = "Most epochs per model.", DefaultValueFactory = _ => 12 };
        var save = OutputTargets.Written(new Option<FileInfo?>("--save") { Description = "Also save the MLP model zip here (real data)." });
        var command = new Command("demo", "Train and evaluate linear and MLP reward heads: a synthetic benchmark with a known golden reward, or (--data) AlpacaEval training with held-out and out-of-domain evaluation.")
        {
            data, seed, maxTrain, maxEval, hidden, epochs, save,
        };
        foreach (var option in featurizer.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var settings = new DemoSettings(parse.GetValue(seed), parse.GetValue(maxTrain), parse.GetValue(maxEval), parse.GetValue(hidden)!, parse.GetValue(epochs), parse.GetValue(save));
            var directory = parse.GetValue(data);
            if (directory is null)
            {
                return Task.FromResult(RunSynthetic(settings, cancel));
            }

            using var scope = featurizer.CreateEmbedder(parse);
            return Task.FromResult(RunRealData(directory, new PairFeaturizer(scope.Embedder, parse.GetValue(featurizer.Layout)), settings, cancel));
        });
        return command;
    }

    private sealed record DemoSettings(long Seed, int MaxTrain, int MaxEval, int[] Hidden, int Epochs, FileInfo? Save)
    {
        public PairwiseTrainerOptions Trainer(HeadSpec head) => new() { Head = head, Seed = Seed, MaxEpochs = Epochs, Patience = 2 };

        public IEnumerable<(string Name, HeadSpec Head)> Heads => [("linear", new LinearHeadSpec()), ($"MLP {string.Join("-", Hidden)}", new MlpHeadSpec { HiddenSizes = Hidden })];
    }

    private static int RunSynthetic(DemoSettings settings, CancellationToken cancel)
    {
        var shape = new SyntheticBenchmarkOptions { TrainPairs = settings.MaxTrain > 0 ? settings.MaxTrain : 10_000 };
        Console.WriteLine($"Synthetic benchmark: random unit embeddings (d = {shape.Dimension}), a hidden golden reward, {shape.TrainPairs:N0} training pairs with a share of");
        Console.WriteLine($"flipped labels, {shape.TestPairs:N0} test pairs labelled by the golden reward. Accuracy = agreement with the golden reward.");
        Console.WriteLine();
        var evaluator = new PairwiseEvaluator();
        var table = ResultTables.Create(["label noise", ">flipped", .. settings.Heads.SelectMany(h => new[] { $"{h.Name} accuracy [95% CI]", $">{h.Name} time" })]);

        foreach (double noise in NoiseLevels)
        {
            var options = shape with { LabelNoise = noise, Seed = settings.Seed + 42 };
            var bench = SyntheticPreferenceBenchmark.Create(options);
            var cells = new List<string> { noise.ToString("P0", CultureInfo.InvariantCulture), bench.FlippedLabels.ToString("N0", CultureInfo.InvariantCulture) };
            foreach (var (name, head) in settings.Heads)
            {
                var clock = Stopwatch.StartNew();
                var result = new PairwiseTrainer(settings.Trainer(head)).Fit(bench.Train, cancellationToken: cancel);
                var (chosen, rejected) = Score(result.Head, bench.Test);
                cells.Add(ResultTables.Accuracy(evaluator.Accuracy(chosen, rejected)));
                cells.Add($"{clock.Elapsed.TotalSeconds:F1} s");
                Console.Error.WriteLine($"noise {noise:P0}, {name}: {result.History.Count} epochs, best {result.BestEpoch}");
            }

            table.AddPlainRow(cells);
        }

        ResultTables.Write(table);
        return ExitCodes.Success;
    }

    private static int RunRealData(DirectoryInfo directory, PairFeaturizer featurizer, DemoSettings settings, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        string Path(string name) => System.IO.Path.Combine(directory.FullName, name + ".jsonl.gz");
        var train = PreferencePairReader.ReadAll(Path("alpaca-eval-train"));
        if (settings.MaxTrain > 0 && train.Count > settings.MaxTrain)
        {
            train = train.Take(settings.MaxTrain).ToList();
        }

        var sets = LengthBaseline.DemoEvaluationSets.Select(name => (Name: name, Pairs: PreferencePairReader.ReadAll(Path(name)))).ToList();
        if (settings.MaxEval > 0)
        {
            sets = [.. sets.Select(s => (s.Name, Pairs: s.Pairs.Take(settings.MaxEval).ToList()))];
        }

        Console.Error.WriteLine($"featurizer: {featurizer.Embedder}, layout {featurizer.Layout} ({featurizer.Dimension} features)");

        var clock = Stopwatch.StartNew();
        var trainData = ProgressDisplay.Run("embedding alpaca-eval-train", p => featurizer.Featurize(train, p, cancel));
        var setData = sets.Select(s => ProgressDisplay.Run($"embedding {s.Name}", p => featurizer.Featurize(s.Pairs, p, cancel))).ToList();
        var featurizeTime = clock.Elapsed;

        var evaluator = new PairwiseEvaluator();
        var reports = new Dictionary<(string Set, string Model), EvaluationReport>();
        foreach (var (name, pairs) in sets)
        {
            reports[(name, "random")] = evaluator.Evaluate(pairs, new float[pairs.Count], new float[pairs.Count]);
            reports[(name, LengthBaseline.Name)] = LengthBaseline.Evaluate(evaluator, pairs);
        }

        var trainTimes = new List<string>();
        RewardHead? mlp = null;
        foreach (var (name, head) in settings.Heads)
        {
            clock.Restart();
            var result = new PairwiseTrainer(settings.Trainer(head)).Fit(trainData, progress: new SynchronousProgress<EpochReport>(e =>
                Console.Error.WriteLine($"{name} epoch {e.Epoch}: train loss {e.TrainLoss:F4}, valid loss {e.ValidationLoss:F4}, valid acc {e.ValidationAccuracy:F3} ({e.Elapsed.TotalSeconds:F1} s)")), cancellationToken: cancel);
            trainTimes.Add($"{name}: {clock.Elapsed.TotalSeconds:F1} s ({result.History.Count} epochs, best {result.BestEpoch})");
            for (int i = 0; i < sets.Count; i++)
            {
                var (chosen, rejected) = Score(result.Head, setData[i]);
                reports[(sets[i].Name, name)] = evaluator.Evaluate(sets[i].Pairs, chosen, rejected);
            }

            if (head is MlpHeadSpec)
            {
                mlp = result.Head;
            }
        }

        string[] models = ["random", LengthBaseline.Name, .. settings.Heads.Select(h => h.Name)];
        Console.WriteLine($"Trained on alpaca-eval-train ({train.Count:N0} pairs), featurizer {FeaturizerName(featurizer.Embedder)}, seed {settings.Seed}.");
        Console.WriteLine("Pairwise accuracy [bootstrap 95% CI]:");
        var table = ResultTables.Create(["evaluation set", ">pairs", .. models]);
        foreach (var (name, pairs) in sets)
        {
            table.AddPlainRow([name, pairs.Count.ToString("N0", CultureInfo.InvariantCulture), .. models.Select(m => ResultTables.Accuracy(reports[(name, m)].Overall))]);
        }

        ResultTables.Write(table);

        Console.WriteLine();
        Console.WriteLine("Per source (LLMBar subsets and the human-labelled sets packaged with it):");
        var perSource = ResultTables.Create(["set", "source", ">pairs", .. models]);
        foreach (var (name, _) in sets.Where(s => s.Name.StartsWith("llmbar", StringComparison.Ordinal)))
        {
            foreach (var (source, summary) in reports[(name, "random")].PerSource)
            {
                perSource.AddPlainRow([name, source, summary.Count.ToString(CultureInfo.InvariantCulture), .. models.Select(m => ResultTables.Accuracy(reports[(name, m)].PerSource[source]))]);
            }
        }

        ResultTables.Write(perSource);

        Console.WriteLine();
        Console.WriteLine("Calibration and length bias of the trained heads:");
        ResultTables.Write(ResultTables.Evaluations(settings.Heads.SelectMany(h => sets.Select(s => ($"{h.Name} on {s.Name}", reports[(s.Name, h.Name)])))));

        if (mlp is not null)
        {
            CheckRoundTrip(featurizer, mlp, setData[0], settings.Save);
        }

        Console.WriteLine();
        Console.WriteLine($"featurization {featurizeTime.TotalSeconds:F1} s; training {string.Join("; ", trainTimes)}; total {total.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores");
        return ExitCodes.Success;
    }

    private static string FeaturizerName(ITextEmbedder embedder) => embedder is Storage.CachedTextEmbedder cached ? cached.Inner.ToString()! : embedder.ToString()!;

    /// <summary>Saves the MLP model, loads it back, and checks that it scores bit-identically.</summary>
    private static void CheckRoundTrip(PairFeaturizer featurizer, RewardHead head, PairwiseDataset data, FileInfo? save)
    {
        string path = save?.FullName ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlnet-rewards-demo-{Environment.ProcessId}.zip");
        var model = new PairwiseRewardModel(featurizer.Embedder, featurizer.Layout, head);
        model.Save(path);
        var loaded = PairwiseRewardModel.Load(path);
        var (before, _) = Score(head, data);
        var (after, _) = Score(loaded.Head, data);
        bool identical = before.AsSpan().SequenceEqual(after);
        Console.WriteLine();
        Console.WriteLine($"model zip round trip: saved {new FileInfo(path).Length:N0} bytes, reloaded scores {(identical ? "bit-identical" : "DIFFER")} on {data.Count:N0} pairs");
        if (save is null)
        {
            File.Delete(path);
        }

        if (!identical)
        {
            throw new InvalidOperationException("a reloaded model scored differently from the saved one");
        }
    }

    private static (float[] Chosen, float[] Rejected) Score(RewardHead head, PairwiseDataset data)
    {
        var chosen = new float[data.Count];
        var rejected = new float[data.Count];
        head.Score(data.Chosen, chosen);
        head.Score(data.Rejected, rejected);
        return (chosen, rejected);
    }
}
