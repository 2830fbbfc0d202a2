using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Benchmarks;

/// <summary>Settings shared by both sides of one task.</summary>
/// <param name="Task">MLP or linear.</param>
/// <param name="Epochs">MLP training epochs (no early stopping, so both sides do the same work); linear heads train to convergence.</param>
/// <param name="Repetitions">Timed repetitions of each figure; the table shows medians.</param>
/// <param name="Threads">Cores each side may use.</param>
/// <param name="SinglePairs">Pairs scored one request at a time.</param>
internal sealed record TaskSettings(BenchmarkTask Task, int Epochs, int Repetitions, int Threads, int SinglePairs)
{
    public const int BatchSize = 64;
    public const float LearningRate = 1e-3f;
    public const float WeightDecay = 1e-2f;
    public static readonly int[] Hidden = [1024, 512];
}

/// <summary>Our side of one task, run in its own process so that its peak memory is its own.</summary>
internal static class OurSide
{
    public static Measurement Run(WorkloadFiles files, TaskSettings settings)
    {
        var (train, test) = files.Load();
        var times = new List<double>();
        var accuracies = new List<double>();
        RewardHead? head = null;
        int iterations = 0;
        for (int repetition = 0; repetition < settings.Repetitions; repetition++)
        {
            var clock = Stopwatch.StartNew();
            var result = Train(train, settings, repetition);
            times.Add(clock.Elapsed.TotalSeconds);
            head = result.Head;
            iterations = result.History.Count;
            accuracies.Add(PairwiseTrainer.Measure(head, test).Accuracy);
        }

        var (single, batched) = Score(head!, train, test, settings);
        return new Measurement
        {
            Side = "ours",
            Task = settings.Task.ToString().ToLowerInvariant(),
            Kernel = $"Vector256 GEMM; TensorPrimitives (Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated})",
            TrainSeconds = times,
            Accuracies = accuracies,
            ScoreSinglePairsPerSecond = single,
            ScoreBatchedPairsPerSecond = batched,
            LoadSeconds = TimeLoad(head!, settings.Repetitions),
            PeakRssBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            Iterations = settings.Task == BenchmarkTask.Linear ? iterations : null,
        };
    }

    private static TrainingResult Train(PairwiseDataset train, TaskSettings settings, int seed)
    {
        if (settings.Task == BenchmarkTask.Linear)
        {
            // The peer's objective: LogisticRegression(C = 1) minimises Σ loss + ½‖w‖², i.e. n·(mean loss + (1/2n)‖w‖²).
            var linear = new PairwiseTrainerOptions
            {
                Head = new LinearHeadSpec(),
                ValidationFraction = 0,
                Seed = seed,
                MaxDegreeOfParallelism = settings.Threads,
                Optimizer = PairwiseOptimizer.FullBatchLbfgs,
                Lbfgs = new LbfgsOptions { L2Regularization = 1.0 / train.Count },
            };
            return new PairwiseTrainer(linear).Fit(train);
        }

        var options = new PairwiseTrainerOptions
        {
            Head = new MlpHeadSpec { HiddenSizes = TaskSettings.Hidden },
            MaxEpochs = settings.Epochs,
            BatchSize = TaskSettings.BatchSize,
            LearningRate = TaskSettings.LearningRate,
            WeightDecay = TaskSettings.WeightDecay,
            ValidationFraction = 0,
            Seed = seed,
            MaxDegreeOfParallelism = settings.Threads,
        };
        return new PairwiseTrainer(options).Fit(train);
    }

    /// <summary>Pairs per second: one pair per request (both rows in one call), and all training pairs in one batch.</summary>
    private static (List<double> Single, List<double> Batched) Score(RewardHead head, PairwiseDataset train, PairwiseDataset test, TaskSettings settings)
    {
        int pairs = Math.Min(settings.SinglePairs, test.Count);
        int d = test.Dimension;
        var interleaved = new float[2 * pairs * d];
        for (int i = 0; i < pairs; i++)
        {
            test.Chosen.Row(i).CopyTo(interleaved.AsSpan(2 * i * d, d));
            test.Rejected.Row(i).CopyTo(interleaved.AsSpan(((2 * i) + 1) * d, d));
        }

        var workspace = head.CreateWorkspace(2);
        var rewards = new float[2];
        var chosen = new float[train.Count];
        var rejected = new float[train.Count];
        var single = new List<double>();
        var batched = new List<double>();
        double sink = 0;
        for (int repetition = -1; repetition < settings.Repetitions; repetition++)
        {
            // Repetition -1 warms up (JIT, caches) and is not timed, as on the peers' side.
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < pairs; i++)
            {
                head.Forward(interleaved.AsSpan(2 * i * d, 2 * d), 2, workspace, rewards);
                sink += rewards[0] - rewards[1];
            }

            double singleSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            head.Score(train.Chosen, chosen);
            head.Score(train.Rejected, rejected);
            if (repetition >= 0)
            {
                single.Add(pairs / singleSeconds);
                batched.Add(train.Count / clock.Elapsed.TotalSeconds);
            }
        }

        GC.KeepAlive(sink);
        return (single, batched);
    }

    /// <summary>Seconds to load the head from a model zip (manifest + safetensors, checked as every model load is).</summary>
    private static List<double> TimeLoad(RewardHead head, int repetitions)
    {
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-bench-").FullName;
        try
        {
            string path = Path.Combine(folder, "head.zip");
            var body = new JsonObject { ["inputDimension"] = head.InputDimension, ["head"] = System.Text.Json.JsonSerializer.SerializeToNode(head.Spec, ModelArchive.JsonOptions) };
            ModelArchive.Save(path, "benchmark-head", body, [.. HeadTensors.Export(head)]);
            var times = new List<double>();
            for (int repetition = -1; repetition < repetitions; repetition++)
            {
                // Repetition -1 warms up (JIT, file cache) and is not timed, as on the peers' side.
                var clock = Stopwatch.StartNew();
                var contents = ModelArchive.Load(path, "benchmark-head");
                var spec = contents.Get<HeadSpec>("head");
                var loaded = HeadTensors.Import(spec, contents.Get<int>("inputDimension"), contents);
                if (repetition >= 0)
                {
                    times.Add(clock.Elapsed.TotalSeconds);
                }

                GC.KeepAlive(loaded);
            }

            return times;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
