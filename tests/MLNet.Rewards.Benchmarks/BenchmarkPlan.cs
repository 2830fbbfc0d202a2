namespace MLNet.Rewards.Benchmarks;

/// <summary>How big a run is: the full benchmark, or a smoke run of seconds that exercises every path (for CI).</summary>
internal enum BenchmarkSize
{
    /// <summary>The workloads of the issue: d = 384, 1024, 2048 with 20k–200k pairs, and the shared data.</summary>
    Full,

    /// <summary>Tiny workloads: checks that everything runs, measures nothing worth reading.</summary>
    Smoke,
}

/// <summary>The workloads and epochs of a run.</summary>
internal static class BenchmarkPlan
{
    private static readonly BenchmarkTask[] Both = [BenchmarkTask.Mlp, BenchmarkTask.Linear];
    private static readonly BenchmarkTask[] LinearOnly = [BenchmarkTask.Linear];

    public static IReadOnlyList<Workload> Workloads(BenchmarkSize size, string? dataDirectory)
    {
        var list = new List<Workload>();
        bool haveData = dataDirectory is not null && File.Exists(Path.Combine(dataDirectory, "alpaca-eval-train.jsonl.gz"));
        if (size == BenchmarkSize.Smoke)
        {
            list.Add(new SyntheticWorkload("smoke-synthetic-d64", 64, 600, 200, Both, MlpEpochs: 1));
            if (haveData)
            {
                list.Add(new SharedDataWorkload("smoke-alpaca-hashing", dataDirectory!, 64, 400, Both, MlpEpochs: 1));
            }

            return list;
        }

        list.Add(new SyntheticWorkload("synthetic-d384-20k", 384, 20_000, 5_000, Both, MlpEpochs: 2));
        list.Add(new SyntheticWorkload("synthetic-d1024-50k", 1024, 50_000, 5_000, Both, MlpEpochs: 1));
        list.Add(new SyntheticWorkload("synthetic-d2048-20k", 2048, 20_000, 5_000, Both, MlpEpochs: 1));
        list.Add(new SyntheticWorkload("synthetic-d384-200k", 384, 200_000, 5_000, LinearOnly, MlpEpochs: 0));
        if (haveData)
        {
            list.Add(new SharedDataWorkload("alpaca-hashing-d1024", dataDirectory!, 512, 0, Both, MlpEpochs: 2));
        }

        return list;
    }
}
