using System.Text.Json;
using System.Text.Json.Serialization;

namespace MLNet.Rewards.Benchmarks;

/// <summary>
/// What one side measured on one workload and task: the JSON a worker process prints (ours in C#, the peers' in
/// peers.py), with snake_case names so both write the same object.
/// </summary>
internal sealed record Measurement
{
    public static JsonSerializerOptions Json { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Side { get; init; } = "";

    public string Task { get; init; } = "";

    /// <summary>The peer library and version (peers only).</summary>
    public string? Peer { get; init; }

    /// <summary>Which BLAS / SIMD kernel ran.</summary>
    public string? Kernel { get; init; }

    public IReadOnlyList<double> TrainSeconds { get; init; } = [];

    /// <summary>Test accuracy of each repetition's model.</summary>
    public IReadOnlyList<double> Accuracies { get; init; } = [];

    public IReadOnlyList<double> ScoreSinglePairsPerSecond { get; init; } = [];

    public IReadOnlyList<double> ScoreBatchedPairsPerSecond { get; init; } = [];

    public IReadOnlyList<double> LoadSeconds { get; init; } = [];

    /// <summary>Peak resident set of the worker process (VmHWM / ru_maxrss), data included.</summary>
    public long PeakRssBytes { get; init; }

    /// <summary>Solver iterations (full-batch solvers only).</summary>
    public int? Iterations { get; init; }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
