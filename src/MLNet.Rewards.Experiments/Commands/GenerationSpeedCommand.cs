using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>generation-speed</c>: greedy decoding of the model folder's fixture prompts with our runner (TextGenerator over
/// CausalLanguageModel), every generated id checked against the fixture, timed per prompt: prefill ms, decode tokens/s,
/// total tokens/s, and the time .NET's JIT spent compiling meanwhile. Its JSON has the shape of
/// scripts/peers/ort-node-generate.mjs's, so that scripts/bench-generation.sh can set the two side by side.
/// </summary>
internal static class GenerationSpeedCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create()
    {
        var llm = SharedOptions.Llm();
        var threads = SharedOptions.Threads("ONNX Runtime intra-op threads (0 = one per core).", 2);
        var prompts = new Option<int>("--prompts") { Description = "Time only the first N fixture generations (0 = all).", DefaultValueFactory = _ => 0 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed passes over the prompts before timing.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the timings as JSON instead of a table." };
        var command = new Command("generation-speed", "Time greedy decoding of the chat model folder's fixture prompts (prefill ms, decode and total tokens/s), checking every generated id against fixture.json.")
        {
            llm, threads, prompts, warmup, json,
        };
        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(prompts) < 0 || parse.GetValue(warmup) < 0)
            {
                throw new UsageException("--prompts and --warmup must be 0 or more");
            }

            string folder = parse.GetValue(llm)!.FullName;
            var references = ReferenceGeneration.ReadFixture(Path.Combine(folder, ReferenceGeneration.FixtureFileName));
            if (parse.GetValue(prompts) > 0)
            {
                references = [.. references.Take(parse.GetValue(prompts))];
            }

            var clock = Stopwatch.StartNew();
            using var model = CausalLanguageModel.Load(folder, new CausalLanguageModelOptions { Threads = parse.GetValue(threads) });
            double loadMs = clock.Elapsed.TotalMilliseconds;
            var report = Measure(new TextGenerator(model), references, parse.GetValue(threads), parse.GetValue(warmup), loadMs, cancel);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                WriteTable(report);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static SpeedReport Measure(TextGenerator generator, IReadOnlyList<ReferenceGeneration> references, int threads, int warmup, double loadMs, CancellationToken cancel)
    {
        // Whole passes over the prompts: the first few dozen model calls of a process are slower (the tiered JIT recompiles
        // hot framework methods in a background thread that competes with ONNX Runtime's threads), so a warm-up shorter
        // than that lands the slowdown on whichever timed prompt comes next.
        for (int pass = 0; pass < warmup; pass++)
        {
            foreach (var reference in references)
            {
                generator.Generate(reference.PromptIds, 1, reference.GreedyOptions, cancellationToken: cancel);
            }
        }

        var speeds = new List<DecodingSpeed>();
        var rows = new List<PromptSpeed>();
        for (int index = 0; index < references.Count; index++)
        {
            var reference = references[index];
            var jitBefore = JitInfo.GetCompilationTime();
            var result = generator.Generate(reference.PromptIds, 1, reference.GreedyOptions, cancellationToken: cancel);
            double jitMs = (JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds;
            int? nearTieStep = reference.Verify(result.Candidates[0].TokenIds, "mlnet-rewards");
            var speed = DecodingSpeed.Of(result);
            speeds.Add(speed);
            rows.Add(new PromptSpeed(index, reference.Label, speed.PromptTokens, speed.GeneratedTokens, Round(speed.Prefill.TotalMilliseconds), Round(speed.Decode.TotalMilliseconds), Round(speed.DecodeTokensPerSecond), Round(speed.TotalTokensPerSecond), Round(jitMs), MatchesFixture: nearTieStep is null, nearTieStep));
        }

        var all = DecodingSpeed.Sum(speeds);
        var overall = new OverallSpeed(all.GeneratedTokens, Round(all.Prefill.TotalMilliseconds), Round(all.Decode.TotalMilliseconds), Round(all.DecodeTokensPerSecond), Round(all.TotalTokensPerSecond));
        string version = OnnxSession.RuntimeVersion;
        return new SpeedReport($"mlnet-rewards (.NET {Environment.Version}, ONNX Runtime {version})", version, threads, warmup, Round(loadMs), rows, overall);
    }

    private static void WriteTable(SpeedReport report)
    {
        Console.WriteLine($"{report.Runner}, {report.Threads} threads, {report.Warmup} untimed warm-up pass(es) over the prompts, model loaded in {report.LoadMs:F0} ms; {FixtureAgreement(report.Prompts)}");
        var table = ResultTables.Create(">#", "prompt", ">prompt tokens", ">generated", ">prefill ms", ">decode tokens/s", ">total tokens/s", ">JIT ms");
        foreach (var row in report.Prompts)
        {
            table.AddPlainRow([
                row.Index.ToString(CultureInfo.InvariantCulture), row.Prompt, row.PromptTokens.ToString(CultureInfo.InvariantCulture),
                row.GeneratedTokens.ToString(CultureInfo.InvariantCulture), ResultTables.Number(row.PrefillMs, "F1"),
                ResultTables.Number(row.DecodeTokensPerSecond, "F1"), ResultTables.Number(row.TotalTokensPerSecond, "F1"), ResultTables.Number(row.JitMs, "F1"),
            ]);
        }

        var o = report.Overall;
        table.AddPlainRow(["", "overall", "", o.GeneratedTokens.ToString(CultureInfo.InvariantCulture), ResultTables.Number(o.PrefillMs, "F1"), ResultTables.Number(o.DecodeTokensPerSecond, "F1"), ResultTables.Number(o.TotalTokensPerSecond, "F1"), ResultTables.Number(report.Prompts.Sum(p => p.JitMs), "F1")]);
        ResultTables.Write(table);
        Console.WriteLine("decode tokens/s = tokens after the first / time after the prompt's run; total tokens/s = all new tokens / whole generation time; JIT ms = time .NET spent compiling methods (any thread) during the prompt.");
    }

    private static string FixtureAgreement(IReadOnlyList<PromptSpeed> prompts)
    {
        var departures = prompts.Where(p => p.DepartsAtNearTie is not null).Select(p => $"#{p.Index} at step {p.DepartsAtNearTie}").ToList();
        return departures.Count == 0
            ? "every generated id equals the fixture's"
            : $"generated ids equal the fixture's up to a near tie of the reference's logits ({string.Join(", ", departures)}; ONNX Runtime's kernels on this CPU differ from the fixture's)";
    }

    private static double Round(double value) => Math.Round(value, 3);

    private sealed record SpeedReport(string Runner, string OnnxRuntimeVersion, int Threads, int Warmup, double LoadMs, IReadOnlyList<PromptSpeed> Prompts, OverallSpeed Overall);

    private sealed record PromptSpeed(int Index, string Prompt, int PromptTokens, int GeneratedTokens, double PrefillMs, double DecodeMs, double DecodeTokensPerSecond, double TotalTokensPerSecond, double JitMs, bool MatchesFixture, int? DepartsAtNearTie);

    private sealed record OverallSpeed(int GeneratedTokens, double PrefillMs, double DecodeMs, double DecodeTokensPerSecond, double TotalTokensPerSecond);
}
