using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>prefill-speed</c>: the hidden-state featurizer's prefill (<see cref="CausalLanguageModel.PrefillHiddenStates"/>) on
/// real conversations, with the whole graph and with the graph the featurizer loads (its output projection cut,
/// <see cref="CausalLanguageModel.LoadForHiddenStates"/>), on the same batches in alternating passes: tokens/s of each,
/// their ratio, and the largest difference between the two graphs' states.
/// </summary>
internal static class PrefillSpeedCommand
{
    public static Command Create()
    {
        var llm = SharedOptions.Llm();
        var data = new Option<FileInfo>("--data")
        {
            Description = "Pair file whose conversations (prompt with chosen, prompt with rejected) are run.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("..", "shared", "data", "llmbar.jsonl.gz")),
        };
        var pairs = new Option<int>("--pairs") { Description = "Use the first N pairs (two conversations each).", DefaultValueFactory = _ => 30 };
        var passes = new Option<int>("--passes") { Description = "Timed passes per graph, alternating between the two (after one untimed pass each).", DefaultValueFactory = _ => 5 };
        var threads = SharedOptions.Threads("ONNX Runtime intra-op threads (0 = one per core).", 2);
        var batchTokens = new Option<int>("--batch-tokens") { Description = "Most padded tokens per model run (the featurizer's BatchTokens; 0 = its default)." };
        var command = new Command("prefill-speed", "Time the hidden-state featurizer's prefill with the whole chat-model graph and with the graph it loads (output projection cut), on the same batches: tokens/s, ratio, largest state difference.")
        {
            llm, data, pairs, passes, threads, batchTokens,
        };
        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(pairs) < 1 || parse.GetValue(passes) < 1 || parse.GetValue(batchTokens) < 0)
            {
                throw new UsageException("--pairs and --passes must be at least 1, and --batch-tokens 0 or more");
            }

            string folder = parse.GetValue(llm)!.FullName;
            var file = parse.GetValue(data)!;
            if (!file.Exists)
            {
                throw new UsageException($"--data {file.FullName} does not exist");
            }

            var spec = ChatHiddenStateFeaturizerSpec.FromModelDirectory(folder) with { Threads = parse.GetValue(threads) };
            if (parse.GetValue(batchTokens) > 0)
            {
                spec = spec with { BatchTokens = parse.GetValue(batchTokens) };
            }

            var conversations = PreferencePairReader.ReadAll(file.FullName).Take(parse.GetValue(pairs))
                .SelectMany(p => new[] { ConversationText.Of(p.Prompt, p.Chosen), ConversationText.Of(p.Prompt, p.Rejected) })
                .ToList();
            var clock = Stopwatch.StartNew();
            using var featurizer = new ChatHiddenStateEmbedder(spec);
            double cutLoad = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using var whole = CausalLanguageModel.Load(folder, new CausalLanguageModelOptions { Threads = spec.Threads });
            double wholeLoad = clock.Elapsed.TotalSeconds;

            var ids = conversations.Select(featurizer.Encode).ToList();
            var batches = ChatHiddenStateEmbedder.PlanBatches(ids, spec.BatchTokens).Select(b => b.Rows.Select(r => ids[r]).ToArray()).ToList();
            long tokens = ids.Sum(i => (long)i.Length);
            Console.WriteLine($"{file.Name}: {conversations.Count} conversations, {tokens:N0} tokens in {batches.Count} batches of at most {spec.BatchTokens} padded tokens; {spec.Threads} threads, ONNX Runtime {OnnxSession.RuntimeVersion}");

            double difference = LargestDifference(whole, featurizer.Model, batches, whole.Shape.HiddenSize, cancel);
            var wholeTimes = new List<double>();
            var cutTimes = new List<double>();
            for (int pass = 0; pass < parse.GetValue(passes); pass++)
            {
                // Alternate which graph goes first, so that neither always runs on a warmer cache or a quieter machine.
                var order = pass % 2 == 0 ? new[] { (whole, wholeTimes), (featurizer.Model, cutTimes) } : new[] { (featurizer.Model, cutTimes), (whole, wholeTimes) };
                foreach (var (model, times) in order)
                {
                    times.Add(TimePass(model, batches, cancel));
                }
            }

            var table = ResultTables.Create("graph", ">load s", ">median pass s", ">tokens/s", ">passes s");
            foreach (var (name, load, times) in new[] { ("whole (logits and hidden_states)", wholeLoad, wholeTimes), ("featurizer's (hidden_states only)", cutLoad, cutTimes) })
            {
                table.AddPlainRow([name, load.ToString("F2", CultureInfo.InvariantCulture), Median(times).ToString("F2", CultureInfo.InvariantCulture), (tokens / Median(times)).ToString("F0", CultureInfo.InvariantCulture), string.Join(" ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))]);
            }

            ResultTables.Write(table);
            Console.WriteLine($"featurizer's graph / whole graph, tokens/s of the medians: {Median(wholeTimes) / Median(cutTimes):F2}x; largest |difference| of a hidden-state component between the graphs: {difference:G3}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The first pass of each graph, untimed: the largest absolute difference of any state the two compute.</summary>
    private static double LargestDifference(CausalLanguageModel whole, CausalLanguageModel cut, IReadOnlyList<int[][]> batches, int width, CancellationToken cancel)
    {
        double largest = 0;
        foreach (var rows in batches)
        {
            int length = rows.Max(r => r.Length);
            var a = new float[rows.Length * length * width];
            var b = new float[a.Length];
            whole.PrefillHiddenStates(rows, a, cancel);
            cut.PrefillHiddenStates(rows, b, cancel);
            for (int r = 0; r < rows.Length; r++)
            {
                // Only a row's real positions: padding states are never pooled.
                for (int i = r * length * width, end = i + (rows[r].Length * width); i < end; i++)
                {
                    largest = Math.Max(largest, Math.Abs(a[i] - b[i]));
                }
            }
        }

        return largest;
    }

    private static double TimePass(CausalLanguageModel model, IReadOnlyList<int[][]> batches, CancellationToken cancel)
    {
        int width = model.Shape.HiddenSize;
        var states = new float[batches.Max(rows => rows.Length * rows.Max(r => r.Length)) * width];
        var clock = Stopwatch.StartNew();
        foreach (var rows in batches)
        {
            model.PrefillHiddenStates(rows, states, cancel);
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
