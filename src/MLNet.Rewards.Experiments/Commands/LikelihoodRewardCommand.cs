using System.CommandLine;
using System.Globalization;
using MLNet.Rewards.Cli.Commands;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generalist;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Models;
using MLNet.Rewards.Storage;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>likelihood-reward</c>: the local chat model as a zero-shot reward, with no training. Each response's teacher-forced
/// log-likelihood is taken after its prompt and after an empty user turn (<see cref="ResponseLikelihood"/>), and three
/// rewards read off them are evaluated as pairwise rankers beside "the longer response wins": log p(y|x) per token, the
/// pointwise mutual information log p(y|x) − log p(y), and that per token.
/// </summary>
internal static class LikelihoodRewardCommand
{
    private const string Name = "likelihood-reward";

    /// <summary>The three rewards of <see cref="LikelihoodRewardModel"/>, by their column names.</summary>
    private static readonly (string Column, LikelihoodReward Kind)[] Rewards =
    [
        ("log-likelihood per token", LikelihoodReward.LogLikelihoodPerToken),
        ("PMI", LikelihoodReward.PointwiseMutualInformation),
        ("PMI per token", LikelihoodReward.PointwiseMutualInformationPerToken),
    ];

    public static Command Create()
    {
        var llm = SharedOptions.Llm();
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder of the shared pair files.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared", "data")) };
        var sets = new Option<string[]>("--sets")
        {
            Description = "Pair files of --data to evaluate (names without .jsonl.gz).",
            DefaultValueFactory = _ => [.. LengthBaseline.DemoEvaluationSets],
            AllowMultipleArgumentsPerToken = true,
        };
        var cap = new Option<int>("--cap")
        {
            Description = "Most pairs per source of each set, chosen by a seeded hash of their ids as train-generalist's --eval-cap chooses them (0 = all); with the default seed, alpaca-eval-test at 1000 is train-generalist's subsample.",
            DefaultValueFactory = _ => 0,
        };
        var seed = SharedOptions.Seed<long>("Seed of the --cap subsample.");
        var store = OutputTargets.Written(new Option<FileInfo>("--store") { Description = "SQLite store (the embedding store's format) that keeps every response's log-likelihoods, so a rerun computes none twice." });
        var (maxPrompt, maxResponse) = SharedOptions.LikelihoodTokenLimits();
        var threads = SharedOptions.Threads("ONNX Runtime intra-op threads (0 = one per core).", 2);
        var output = ReportWriter.OutputOption(Name);
        var command = new Command(Name, "The local chat model as a zero-shot reward: log p(y|x) per token and the pointwise mutual information log p(y|x) - log p(y) (total and per token), evaluated on pair files beside 'the longer response wins'.")
        {
            llm, data, sets, cap, seed, store, maxPrompt, maxResponse, threads, output,
        };
        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(cap) < 0)
            {
                throw new UsageException("--cap must be 0 (all pairs) or more");
            }

            string folder = parse.GetValue(data)!.FullName;
            var files = parse.GetValue(sets)!.Select(set => (Set: set, Path: GeneralistSources.DataFile(folder, set, "--data"))).ToList();
            using var model = CausalLanguageModel.Load(parse.GetValue(llm)!.FullName, new CausalLanguageModelOptions { Threads = parse.GetValue(threads) });
            var likelihood = new ResponseLikelihood(model, parse.GetValue(maxPrompt), parse.GetValue(maxResponse));
            using var values = parse.GetValue(store) is { } path ? EmbeddingStore.Open(path.FullName) : null;
            var report = new ReportWriter(parse.GetValue(output)!);
            var evaluator = new PairwiseEvaluator();
            var table = ResultTables.Create(["set", "source", ">pairs", LengthBaseline.Name, .. Rewards.Select(r => r.Column)]);
            var correlations = ResultTables.Create(["set", .. Rewards.Select(r => ">ρ(" + r.Column + ", length)")]);
            var strata = ResultTables.Create(["set", "pairs where the chosen response is", ">pairs", .. Rewards.Select(r => r.Column)]);
            foreach (var (set, file) in files)
            {
                var pairs = PreferencePairReader.ReadAll(file);
                if (parse.GetValue(cap) > 0)
                {
                    pairs = GeneralistPairs.CapPerSource(pairs, parse.GetValue(cap), parse.GetValue(seed));
                }

                var measured = ProgressDisplay.Run($"{set}: log-likelihoods", progress => Measure(likelihood, values, pairs, progress, cancel));
                var longer = LengthBaseline.Evaluate(evaluator, pairs);
                var reports = Rewards.Select(r => evaluator.Evaluate(pairs, [.. measured.Chosen.Select(v => (float)v.Reward(r.Kind))], [.. measured.Rejected.Select(v => (float)v.Reward(r.Kind))])).ToList();
                table.AddPlainRow([set, "all", Count(pairs.Count), ResultTables.Accuracy(longer.Overall), .. reports.Select(r => ResultTables.Accuracy(r.Overall))]);
                if (longer.PerSource.Count > 1)
                {
                    foreach (string source in longer.PerSource.Keys)
                    {
                        table.AddPlainRow([set, source, Count(longer.PerSource[source].Count), ResultTables.Accuracy(longer.PerSource[source]), .. reports.Select(r => ResultTables.Accuracy(r.PerSource[source]))]);
                    }
                }

                correlations.AddPlainRow([set, .. reports.Select(r => ResultTables.Number(r.LengthSpearman))]);
                AddLengthStrata(strata, set, reports);
                Console.Error.WriteLine($"{set}: {pairs.Count:N0} pairs; {measured.Computed:N0} responses computed, {measured.Stored:N0} read from the store or met before");
            }

            string settings = $"SmolLM2 ({Path.GetFileName(parse.GetValue(llm)!.FullName)}), prompts cut to {parse.GetValue(maxPrompt)} tokens, responses scored over at most {parse.GetValue(maxResponse)}";
            report.Table(Name, $"Pairwise accuracy [bootstrap 95% CI] of zero-shot rewards from the chat model, no training ({settings}): the log-likelihood log p(y|x) of the response after its prompt, per token; PMI = log p(y|x) - log p(y), p(y) after an empty user turn; and PMI per token:", table);
            report.Table(Name + "-length", "Spearman correlation of each reward with response length (chosen and rejected pooled):", correlations);
            report.Table(Name + "-length-strata", "Accuracy [bootstrap 95% CI] on the pairs where the chosen response is the longer one and where it is the shorter one (characters; equal lengths left out), and the mean of the two: 0.500 for any rule that only looks at length (\"longer wins\" scores 1 and 0), so what a reward knows beyond length shows in it.", strata);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string Count(int count) => count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Rows of <paramref name="table"/> for <paramref name="set"/>: accuracy where the chosen response is longer, where it is shorter, and their mean.</summary>
    private static void AddLengthStrata(Spectre.Console.Table table, string set, List<EvaluationReport> reports)
    {
        table.AddPlainRow([set, "the longer one", Count(reports[0].ByLength.ChosenLonger.Count), .. reports.Select(r => ResultTables.Accuracy(r.ByLength.ChosenLonger))]);
        table.AddPlainRow([set, "the shorter one", Count(reports[0].ByLength.ChosenShorter.Count), .. reports.Select(r => ResultTables.Accuracy(r.ByLength.ChosenShorter))]);
        table.AddPlainRow([set, "mean of the two", string.Empty, .. reports.Select(r => ResultTables.Number(r.ByLength.MeanAccuracy))]);
    }

    private sealed record Measured(ResponseLogLikelihood[] Chosen, ResponseLogLikelihood[] Rejected, int Computed, int Stored);

    /// <summary>Both responses of every pair, read from the store where it has them and computed (and stored) otherwise.</summary>
    private static Measured Measure(ResponseLikelihood likelihood, EmbeddingStore? store, List<PreferencePair> pairs, IProgress<(int Done, int Total)> progress, CancellationToken cancel)
    {
        const int Dimension = 3;
        var texts = pairs.SelectMany(p => new[] { (p.Prompt, Response: p.Chosen), (p.Prompt, Response: p.Rejected) }).ToList();
        var keys = texts.Select(t => EmbeddingStore.KeyOf(likelihood.Identity, ConversationText.Of(t.Prompt, t.Response))).ToList();
        var rows = new float[texts.Count * Dimension];
        var found = store?.TryGetMany(keys, Dimension, rows) ?? new bool[texts.Count];
        int computed = 0;
        var pending = new List<int>();
        var firstOf = new Dictionary<(string Prompt, string Response), int>();
        for (int i = 0; i < texts.Count; i++)
        {
            if (!found[i] && firstOf.TryGetValue(texts[i], out int first))
            {
                // A response met again in this set (AlpacaEval's reference answers recur across pairs): computed once.
                rows.AsSpan(first * Dimension, Dimension).CopyTo(rows.AsSpan(i * Dimension, Dimension));
            }
            else if (!found[i])
            {
                var value = likelihood.Measure(texts[i].Prompt, texts[i].Response, cancel);
                rows[(i * Dimension) + 0] = (float)value.GivenPrompt;
                rows[(i * Dimension) + 1] = (float)value.WithoutPrompt;
                rows[(i * Dimension) + 2] = value.Tokens;
                firstOf[texts[i]] = i;
                computed++;
                pending.Add(i);
            }

            // Stored in chunks, so that an interrupted run keeps what it computed.
            if (store is not null && (pending.Count == 64 || (i == texts.Count - 1 && pending.Count > 0)))
            {
                store.PutMany([.. pending.Select(p => keys[p])], Dimension, [.. pending.SelectMany(p => rows.AsSpan(p * Dimension, Dimension).ToArray())]);
                pending.Clear();
            }

            progress.Report((i + 1, texts.Count));
        }

        ResponseLogLikelihood At(int i) => new(rows[i * Dimension], rows[(i * Dimension) + 1], (int)rows[(i * Dimension) + 2]);
        return new Measured(
            [.. Enumerable.Range(0, pairs.Count).Select(p => At(2 * p))],
            [.. Enumerable.Range(0, pairs.Count).Select(p => At((2 * p) + 1))],
            computed,
            texts.Count - computed);
    }
}
