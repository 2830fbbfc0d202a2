using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Benchmarks;

/// <summary>What is trained on a workload.</summary>
internal enum BenchmarkTask
{
    /// <summary>The MLP head D → 1024 → 512 → 1 against PyTorch.</summary>
    Mlp,

    /// <summary>The linear head against scikit-learn's logistic regression.</summary>
    Linear,
}

/// <summary>One benchmark input: where its pairs come from, how many, and which tasks run on it.</summary>
/// <param name="Name">Short name used in the table and as the folder name.</param>
/// <param name="Description">Where the pairs come from.</param>
/// <param name="Tasks">Tasks that run on it.</param>
/// <param name="MlpEpochs">Epochs of MLP training (the same on both sides).</param>
internal abstract record Workload(string Name, string Description, IReadOnlyList<BenchmarkTask> Tasks, int MlpEpochs)
{
    public const string TrainChosen = "train_chosen", TrainRejected = "train_rejected", TestChosen = "test_chosen", TestRejected = "test_rejected";

    /// <summary>Builds the train and test pairs.</summary>
    protected abstract (PairwiseDataset Train, PairwiseDataset Test) Build();

    /// <summary>Writes the four .npy files into <paramref name="folder"/> once; later runs reuse them.</summary>
    public WorkloadFiles Prepare(string root)
    {
        string folder = Path.Combine(root, Name);
        string stamp = Path.Combine(folder, "workload.json");
        string description = JsonSerializer.Serialize(this, GetType());
        if (File.Exists(stamp) && File.ReadAllText(stamp) == description)
        {
            return WorkloadFiles.Open(folder);
        }

        Directory.CreateDirectory(folder);
        var (train, test) = Build();
        NpyFile.Write(Path.Combine(folder, TrainChosen + ".npy"), train.Chosen);
        NpyFile.Write(Path.Combine(folder, TrainRejected + ".npy"), train.Rejected);
        NpyFile.Write(Path.Combine(folder, TestChosen + ".npy"), test.Chosen);
        NpyFile.Write(Path.Combine(folder, TestRejected + ".npy"), test.Rejected);
        File.WriteAllText(stamp, description);
        return WorkloadFiles.Open(folder);
    }
}

/// <summary>The synthetic benchmark's random unit embeddings with a hidden golden reward (the demo's generator).</summary>
internal sealed record SyntheticWorkload(string Name, int Dimension, int TrainPairs, int TestPairs, IReadOnlyList<BenchmarkTask> Tasks, int MlpEpochs)
    : Workload(Name, $"synthetic d={Dimension}, {TrainPairs:N0} train / {TestPairs:N0} test pairs, 10% flipped labels", Tasks, MlpEpochs)
{
    protected override (PairwiseDataset Train, PairwiseDataset Test) Build()
    {
        var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = Dimension, TrainPairs = TrainPairs, TestPairs = TestPairs, LabelNoise = 0.1, Seed = 42 });
        return (bench.Train, bench.Test);
    }
}

/// <summary>Shared AlpacaEval pairs featurized by the hashing featurizer (response ⊕ prompt⊙response).</summary>
internal sealed record SharedDataWorkload(string Name, string DataDirectory, int Buckets, int MaxTrainPairs, IReadOnlyList<BenchmarkTask> Tasks, int MlpEpochs)
    : Workload(Name, $"alpaca-eval (shared data), hashing featurizer {Buckets} buckets x 2 (response, prompt*response){(MaxTrainPairs > 0 ? $", first {MaxTrainPairs:N0} train pairs" : "")}", Tasks, MlpEpochs)
{
    protected override (PairwiseDataset Train, PairwiseDataset Test) Build()
    {
        var train = PreferencePairReader.ReadAll(Path.Combine(DataDirectory, "alpaca-eval-train.jsonl.gz"));
        var test = PreferencePairReader.ReadAll(Path.Combine(DataDirectory, "alpaca-eval-test.jsonl.gz"));
        if (MaxTrainPairs > 0)
        {
            train = [.. train.Take(MaxTrainPairs)];
            test = [.. test.Take(MaxTrainPairs)];
        }

        var featurizer = new PairFeaturizer(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = Buckets }), FeatureLayout.ResponseAndPromptProduct);
        return (featurizer.Featurize(train), featurizer.Featurize(test));
    }
}

/// <summary>The .npy files of a prepared workload and their shape.</summary>
internal sealed record WorkloadFiles(string Folder, int TrainPairs, int TestPairs, int Dimension)
{
    public static WorkloadFiles Open(string folder)
    {
        var header = NpyFile.ReadShape(Path.Combine(folder, Workload.TrainChosen + ".npy"));
        var test = NpyFile.ReadShape(Path.Combine(folder, Workload.TestChosen + ".npy"));
        return new WorkloadFiles(folder, header.Rows, test.Rows, header.Columns);
    }

    /// <summary>Loads the pairs (one group per pair: no validation split is used by the benchmark).</summary>
    public (PairwiseDataset Train, PairwiseDataset Test) Load()
    {
        PairwiseDataset Read(string chosen, string rejected)
        {
            var c = NpyFile.Read(Path.Combine(Folder, chosen + ".npy"));
            var r = NpyFile.Read(Path.Combine(Folder, rejected + ".npy"));
            return new PairwiseDataset(c, r, [.. Enumerable.Range(0, c.Rows).Select(i => (ulong)i)]);
        }

        return (Read(Workload.TrainChosen, Workload.TrainRejected), Read(Workload.TestChosen, Workload.TestRejected));
    }
}
