using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards.Pipelines.Benchmarks;

/// <summary>Command-line settings.</summary>
internal sealed record BenchSettings(string DataDirectory, int Rows, int Repeats)
{
    public static BenchSettings Parse(string[] args)
    {
        string data = Environment.GetEnvironmentVariable("MLNET_REWARDS_DATA") ?? Path.Combine("..", "shared", "data");
        int rows = 2000, repeats = 5;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data": data = args[i + 1]; break;
                case "--rows": rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}; expected --data, --rows or --repeats");
            }
        }

        return new BenchSettings(data, rows, repeats);
    }
}

/// <summary>Median wall time of repeated runs after one warm-up run.</summary>
internal static class Timing
{
    public static double Median(int repeats, Action run)
    {
        run();
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}

/// <summary>A training row of the multi-objective model: a response of a pair (with its pair id and label) or a rated response.</summary>
public sealed class MultiObjectiveRow
{
    public string PairId { get; set; } = string.Empty;

    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;

    public bool Label { get; set; }

    public float Helpfulness { get; set; } = float.NaN;
}

/// <summary>A scoring row.</summary>
public sealed class ScoringRow
{
    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;
}

/// <summary>A scored row.</summary>
public sealed class ScoredRow
{
    public float Score { get; set; }
}

/// <summary>Input of the experiment's mapping: a 1M-float state vector delivered as a column.</summary>
public sealed class VectorStateInput
{
    [VectorType(StateCarrierExperiment.StateLength)]
    public float[] State { get; set; } = [];
}

/// <summary>Input of the experiment's mapping: the same state as base64 text (what MLNet.Rewards carries).</summary>
public sealed class TextStateInput
{
    public ReadOnlyMemory<char> State { get; set; }
}

/// <summary>Output of the experiment's mappings.</summary>
public sealed class ProbeOutput
{
    public float Probe { get; set; }
}

/// <summary>
/// What the per-row cost of the state carrier is: a value mapping from a constant key to (a) a 1M-float vector, read
/// by a custom mapping as a float[] field, or (b) the same floats as base64 text, read as ReadOnlyMemory&lt;char&gt;.
/// The mappings only touch one value, so the figures are the carrier's own cost.
/// </summary>
internal static class StateCarrierExperiment
{
    public const int StateLength = 1 << 20;

    public static void Run(int repeats)
    {
        const int Rows = 200;
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, Rows).Select(_ => new KeyRow { Key = "state" }).ToList());
        var weights = new float[StateLength];
        weights[0] = 1f;
        var vectorModel = ml.Transforms.Conversion.MapValue("State", new[] { new KeyValuePair<string, float[]>("state", weights) }, "Key")
            .Append(ml.Transforms.CustomMapping<VectorStateInput, ProbeOutput>((i, o) => o.Probe = i.State[0], contractName: null))
            .Fit(data);
        byte[] bytes = new byte[StateLength * sizeof(float)];
        Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
        var textModel = ml.Transforms.Conversion.MapValue("State", new[] { new KeyValuePair<string, string>("state", Convert.ToBase64String(bytes)) }, "Key")
            .Append(ml.Transforms.CustomMapping<TextStateInput, ProbeOutput>((i, o) => o.Probe = i.State.Length, contractName: null))
            .Fit(data);
        double vectorMs = Timing.Median(repeats, () => _ = vectorModel.Transform(data).GetColumn<float>("Probe").Sum());
        double textMs = Timing.Median(repeats, () => _ = textModel.Transform(data).GetColumn<float>("Probe").Sum());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"State carrier for a {StateLength:N0}-float state, per row over {Rows} rows: float-vector value mapping {vectorMs * 1000 / Rows:F1} µs, base64-text value mapping {textMs * 1000 / Rows:F2} µs."));
    }
}

/// <summary>A row carrying the state key.</summary>
public sealed class KeyRow
{
    public string Key { get; set; } = string.Empty;
}
