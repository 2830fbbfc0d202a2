using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Training;
using Spectre.Console;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>multi-objective-benchmark</c>: the evidence table of docs/multi-objective.md. Trains a single Bradley–Terry reward and
/// a multi-objective model (ridge objectives on HelpSteer ratings, Bradley–Terry objectives per principle) on the shared
/// data, with hh-harmless-test used only through prompt-grouped cross-validation, and reports accuracy and length
/// correlation for the single reward, the gate, the gate with verbosity decorrelation, and every scalarizer.
/// </summary>
internal static class MultiObjectiveBenchmarkCommand
{
    private const string Name = "multi-objective-benchmark";

    private static readonly string[] OutOfDomainSets = ["alpaca-eval-test", "llmbar", "llmbar-processed"];
    private static readonly string[] LlmBarSubsets = ["llmbar-natural", "llmbar-adversarial-neighbor", "llmbar-adversarial-gptinst", "llmbar-adversarial-gptout", "llmbar-adversarial-manual"];
    private const string HarmlessCv = "hh-harmless (CV)";

    /// <summary>The combiners compared: without decorrelation, with ArmoRM's (length), and with length on a log scale.</summary>
    private static readonly (string Suffix, double? Bound, VerbosityScale Scale)[] Variants =
    [
        ("", null, VerbosityScale.Linear),
        (" + decorr.", 0.03, VerbosityScale.Linear),
        (" + log-decorr.", 0.03, VerbosityScale.Logarithmic),
    ];

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with the shared data files.", DefaultValueFactory = _ => new DirectoryInfo("../shared/data") };
        var alpaca = new Option<int>("--alpaca-train") { Description = "Pairs sampled (seeded) from alpaca-eval-train; half train the 'judge' objective, half the combiner (0 = all 34,692).", DefaultValueFactory = _ => 4000 };
        var folds = new Option<int>("--folds") { Description = "Prompt-grouped cross-validation folds over hh-harmless-test.", DefaultValueFactory = _ => 5 };
        var gateHidden = new Option<int[]>("--gate-hidden") { Description = "Hidden sizes of the gate (ArmoRM's reference is 1024 1024 1024).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [256, 256, 256] };
        var gateEpochs = new Option<int>("--gate-epochs") { Description = "Most epochs of gate training.", DefaultValueFactory = _ => 10 };
        var seed = SharedOptions.Seed<long>("Seed of sampling, splits and training.");
        var output = ReportWriter.OutputOption(Name);
        var command = new Command(Name, "Compare a single Bradley–Terry reward, the gated multi-objective combiner (with and without verbosity decorrelation) and every scalarizer on the shared data.")
        {
            data, alpaca, folds, gateHidden, gateEpochs, seed, output,
        };
        var featurizer = new FeaturizerOptions();
        foreach (var option in featurizer.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var settings = new Settings(parse.GetValue(data)!, parse.GetValue(alpaca), parse.GetValue(folds), parse.GetValue(gateHidden)!, parse.GetValue(gateEpochs), parse.GetValue(seed));
            if (settings.Folds < 2)
            {
                throw new UsageException("--folds must be at least 2");
            }

            using var scope = featurizer.CreateEmbedder(parse);
            Run(settings, new PairFeaturizer(scope.Embedder, parse.GetValue(featurizer.Layout)), new ReportWriter(parse.GetValue(output)!), cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private sealed record Settings(DirectoryInfo Data, int AlpacaTrain, int Folds, int[] GateHidden, int GateEpochs, long Seed)
    {
        public string File(string name) => Path.Combine(Data.FullName, name + ".jsonl.gz");

        public List<PreferencePair> Pairs(string name) => PreferencePairReader.ReadAll(File(name));

        public PairwiseTrainerOptions Linear(long stream) => new() { Head = new LinearHeadSpec(), MaxEpochs = 20, Seed = SeededRandom.Derive(Seed, stream) };

        public MultiObjectiveTrainerOptions Trainer(double? maxVerbositySpearman, VerbosityScale scale = VerbosityScale.Linear) => new()
        {
            Preference = Linear(1),
            Gate = new GatingHeadSpec { HiddenSizes = GateHidden, Temperature = 1f },
            GateTrainer = new PairwiseTrainerOptions { MaxEpochs = GateEpochs, Patience = 2 },
            MaxVerbositySpearman = maxVerbositySpearman,
            VerbosityMeasure = LengthMeasure.Characters,
            VerbosityScale = scale,
            Seed = Seed,
        };
    }

    private static void Run(Settings settings, PairFeaturizer featurizer, ReportWriter report, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        var log = new SynchronousProgress<string>(Console.Error.WriteLine);

        // Data. alpaca-eval-train is sampled, then split by prompt: half trains the "judge" objective, half the combiner.
        var alpacaAll = settings.Pairs("alpaca-eval-train");
        var alpaca = Sample(alpacaAll, settings.AlpacaTrain, settings.Seed);
        var (judgePairs, alpacaCombiner) = PromptGroupedSplit.TrainTest(alpaca, 0.5, (int)settings.Seed);
        var harmlessPairs = settings.Pairs("hh-harmless-train-sample").Concat(settings.Pairs("pku-saferlhf-harmless")).ToList();
        var helpfulPairs = settings.Pairs("hh-helpful-train-sample").Concat(settings.Pairs("pku-saferlhf-helpful")).ToList();
        var rated = RatedResponseReader.ReadAll(settings.File("helpsteer-sample"));
        var harmlessTest = settings.Pairs("hh-harmless-test");
        var sets = OutOfDomainSets.Select(name => (Name: name, Pairs: settings.Pairs(name))).ToList();

        Console.Error.WriteLine($"featurizer {featurizer.Embedder}, {featurizer.Dimension} features; alpaca-eval-train sample {alpaca.Count:N0} of {alpacaAll.Count:N0} ({judgePairs.Count:N0} judge objective, {alpacaCombiner.Count:N0} combiner)");

        // Stage 1 once: the objectives never see hh-harmless-test.
        var clock = Stopwatch.StartNew();
        string[] attributes = ["helpfulness", "correctness", "coherence", "complexity", "verbosity"];
        ObjectiveDefinition[] definitions =
        [
            .. attributes.Select(a => new RegressionObjectiveDefinition(a, a, rated)),
            new PreferenceObjectiveDefinition("harmless", harmlessPairs),
            new PreferenceObjectiveDefinition("helpful", helpfulPairs),
            new PreferenceObjectiveDefinition("judge", judgePairs),
        ];
        var objectives = new MultiObjectiveTrainer(settings.Trainer(null)).FitObjectives(featurizer, definitions, log, cancel);
        var objectivesTime = clock.Elapsed;

        // Featurize every set once.
        clock.Restart();
        var combinerPool = alpacaCombiner.Concat(harmlessTest).ToList();
        var combinerBatch = ResponseBatch.FromPairs(featurizer, combinerPool, cancel);
        var setBatches = sets.Select(s => ResponseBatch.FromPairs(featurizer, s.Pairs, cancel)).ToList();
        var fixedBaselinePairs = alpaca.Concat(harmlessPairs).Concat(helpfulPairs).ToList();
        var baselinePool = featurizer.Featurize([.. fixedBaselinePairs, .. harmlessTest], cancellationToken: cancel);
        var featurizeTime = clock.Elapsed;

        var results = new Results(harmlessTest);
        results.AddUntrained("longer wins", sets, p => p.Chosen.Length, p => p.Rejected.Length);

        clock.Restart();
        var gateWeights = new List<string>();
        var foldOf = harmlessTest.Select(p => PromptGroupedSplit.FoldOf(p.Prompt, settings.Folds, (int)settings.Seed)).ToArray();
        for (int fold = 0; fold < settings.Folds; fold++)
        {
            cancel.ThrowIfCancellationRequested();
            int[] trainHh = [.. Enumerable.Range(0, harmlessTest.Count).Where(i => foldOf[i] != fold)];
            int[] testHh = [.. Enumerable.Range(0, harmlessTest.Count).Where(i => foldOf[i] == fold)];
            Console.Error.WriteLine($"fold {fold + 1}/{settings.Folds}: hh-harmless-test {trainHh.Length} train / {testHh.Length} held-out pairs");

            // Single Bradley–Terry reward on all the preference data the multi-objective model sees.
            var baselineIndices = Enumerable.Range(0, fixedBaselinePairs.Count).Concat(trainHh.Select(i => fixedBaselinePairs.Count + i)).ToArray();
            var baseline = new PairwiseTrainer(settings.Linear(2)).Fit(baselinePool.Subset(baselineIndices), cancellationToken: cancel).Head;
            var heldOut = combinerBatch.Rows(PairRows([.. testHh.Select(i => alpacaCombiner.Count + i)], combinerPool.Count));
            results.Add("single BT", testHh, sets, ScoreHead(baseline, heldOut), setBatches.Select(b => ScoreHead(baseline, b)).ToList());

            // Stage 2 per fold: the combiner sees alpaca's combiner half and the training folds of hh-harmless-test.
            int[] combinerPairIndices = [.. Enumerable.Range(0, alpacaCombiner.Count), .. trainHh.Select(i => alpacaCombiner.Count + i)];
            var combinerPairs = combinerPairIndices.Select(i => combinerPool[i]).ToList();
            var batch = combinerBatch.Rows(PairRows(combinerPairIndices, combinerPool.Count));
            var batchLengths = batch.Responses.Select(r => (double)r.Length).ToArray();
            var baselineOnBatch = new float[batch.Count];
            baseline.Score(batch.Features, baselineOnBatch);
            results.AddReference("single BT", Statistics.Spearman([.. baselineOnBatch.Select(v => (double)v)], batchLengths));
            foreach (var (variant, bound, scale) in Variants)
            {
                var model = new MultiObjectiveTrainer(settings.Trainer(bound, scale)).FitCombiner(featurizer, objectives, combinerPairs, batch, log, cancel);
                var heldOutValues = model.Evaluate(heldOut);
                var setValues = setBatches.Select(model.Evaluate).ToList();
                var trainValuesAll = model.Evaluate(batch);
                var trainValues = trainValuesAll.Values;
                int n = combinerPairs.Count;
                var linear = LinearScalarizer.Fit(Rows(trainValues, 0, n), Rows(trainValues, n, n), [.. combinerPairs.Select(p => StableHash.Of(p.Prompt))], settings.Linear(3));
                RewardCombination[] combinations =
                [
                    new GateCombination(), linear, new MinScalarizer(), new SoftMinScalarizer { Temperature = 1f },
                    new MeanVarianceScalarizer { VariancePenalty = 1f }, new LowerQuantileScalarizer { Quantile = 0.25f }, new ProductScalarizer(),
                ];
                foreach (var combination in combinations)
                {
                    string name = (combination is GateCombination ? "gate (ArmoRM)" : combination is LinearScalarizer ? "linear (fit)" : combination.Describe()) + variant;
                    results.Add(name, testHh, sets, Split(model.Combine(heldOutValues, combination)), setValues.Select(v => Split(model.Combine(v, combination))).ToList());
                    results.AddReference(name, Statistics.Spearman([.. model.Combine(trainValuesAll, combination).Select(v => (double)v)], batchLengths));
                }

                if (fold == 0)
                {
                    gateWeights.Add($"{(variant.Length == 0 ? "no decorrelation" : variant[3..])}, held-out hh-harmless-test prompts: {MeanWeights(model, heldOutValues)}");
                    gateWeights.Add($"{(variant.Length == 0 ? "no decorrelation" : variant[3..])}, alpaca-eval-test prompts: {MeanWeights(model, setValues[0])}");
                }
            }
        }

        var foldTime = clock.Elapsed;
        string setup = string.Join(' ', [
            $"Objectives: ridge on HelpSteer ratings ({string.Join(", ", attributes)}; {rated.Count} rated responses); Bradley–Terry (linear) 'harmless' (hh-harmless-train-sample + pku-saferlhf-harmless, {harmlessPairs.Count} pairs),",
            $"'helpful' (hh-helpful-train-sample + pku-saferlhf-helpful, {helpfulPairs.Count}), 'judge' (alpaca-eval-train sample, {judgePairs.Count}). Combiner pairs: {alpacaCombiner.Count} alpaca-eval-train + the training folds of hh-harmless-test.",
            $"Gate {string.Join("x", settings.GateHidden)}, T = 1, AdamW 1e-3, at most {settings.GateEpochs} epochs; single reward: a linear Bradley–Terry head on all {fixedBaselinePairs.Count} + hh-harmless-test training-fold pairs.",
            $"Featurizer {featurizer.Embedder}, layout {featurizer.Layout} ({featurizer.Dimension} features), seed {settings.Seed}, {settings.Folds} prompt-grouped folds over hh-harmless-test.",
            "Decorrelation: every learned objective o gets o - λ·v with |Spearman(o - λ·v, length)| <= 0.03 on the combiner pairs of its fold; v is the standardised length in characters, or its logarithm.",
        ]);
        var names = sets.Select(s => s.Name).ToList();
        report.Table("accuracy", setup + " hh-harmless-test: pooled held-out accuracy [bootstrap 95% CI]; other sets: mean accuracy of the fold models.", results.AccuracyTable(names));
        report.Table(
            "length-correlation",
            "Spearman correlation of reward with response length (characters), chosen and rejected responses pooled; 'reference set' is the combiner pairs of each fold (where λ was fitted), mean over folds:",
            results.LengthCorrelationTable(names));
        Console.WriteLine("Mean gate weights of the fold-1 models:");
        gateWeights.ForEach(line => Console.WriteLine("- " + line));
        Console.WriteLine();
        Console.WriteLine($"stage 1 {objectivesTime.TotalSeconds:F0} s, featurization {featurizeTime.TotalSeconds:F0} s, {settings.Folds} folds {foldTime.TotalSeconds:F0} s, total {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
    }

    private static string MeanWeights(MultiObjectiveRewardModel model, ObjectiveValues values)
    {
        var weights = model.Gate!.Weights(values.Prompts);
        return string.Join(", ", model.ObjectiveNames.Select((name, j) => string.Create(CultureInfo.InvariantCulture, $"{name} {Enumerable.Range(0, weights.Rows).Average(i => weights.Row(i)[j]):F2}")));
    }

    private static List<PreferencePair> Sample(List<PreferencePair> pairs, int count, long seed)
    {
        if (count <= 0 || count >= pairs.Count)
        {
            return pairs;
        }

        var order = Enumerable.Range(0, pairs.Count).ToArray();
        new SeededRandom(SeededRandom.Derive(seed, 7)).Shuffle<int>(order);
        return [.. order.Take(count).Order().Select(i => pairs[i])];
    }

    /// <summary>Rows of the chosen responses of the given pairs, then of their rejected ones, in a batch of <see cref="ResponseBatch.FromPairs"/> over <paramref name="poolSize"/> pairs.</summary>
    private static int[] PairRows(int[] pairIndices, int poolSize) => [.. pairIndices, .. pairIndices.Select(i => poolSize + i)];

    private static (float[] Chosen, float[] Rejected) ScoreHead(RewardHead head, ResponseBatch batch)
    {
        var rewards = new float[batch.Count];
        head.Score(batch.Features, rewards);
        return Split(rewards);
    }

    /// <summary>The first half of the rows (chosen responses) and the second (rejected ones).</summary>
    private static (float[] Chosen, float[] Rejected) Split(float[] rewards) => (rewards[..(rewards.Length / 2)], rewards[(rewards.Length / 2)..]);

    private static FloatMatrix Rows(FloatMatrix matrix, int start, int count)
        => new(count, matrix.Columns, matrix.Data.AsSpan(start * matrix.Columns, count * matrix.Columns).ToArray());

    /// <summary>Per compared reward: pooled held-out rewards on hh-harmless-test and one report per fold on every other set.</summary>
    private sealed class Results(List<PreferencePair> harmless)
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        // Intervals are only reported for the pooled hh-harmless-test column, so fold reports skip the bootstrap.
        private readonly PairwiseEvaluator _foldEvaluator = new(new EvaluationOptions { BootstrapSamples = 1 });
        private readonly PairwiseEvaluator _pooledEvaluator = new();
        private readonly List<string> _order = [];
        private readonly Dictionary<string, (float[] Chosen, float[] Rejected, bool[] Filled)> _harmless = [];
        private readonly Dictionary<(string Row, string Set), List<EvaluationReport>> _sets = [];
        private readonly Dictionary<string, List<double>> _reference = [];

        /// <summary>One fold's Spearman(reward, length) on the combiner's own pairs, where decorrelation was fitted.</summary>
        public void AddReference(string name, double spearman)
        {
            if (!_reference.TryGetValue(name, out var values))
            {
                _reference[name] = values = [];
            }

            values.Add(spearman);
        }

        /// <summary>A reward that needs no training: scored once on every pair.</summary>
        public void AddUntrained(string name, IReadOnlyList<(string Name, List<PreferencePair> Pairs)> sets, Func<PreferencePair, float> chosen, Func<PreferencePair, float> rejected)
            => Add(name, [.. Enumerable.Range(0, harmless.Count)], sets, ([.. harmless.Select(chosen)], [.. harmless.Select(rejected)]), [.. sets.Select(s => ((float[])[.. s.Pairs.Select(chosen)], (float[])[.. s.Pairs.Select(rejected)]))]);

        /// <summary>One fold's rewards: on its held-out hh-harmless-test pairs and on every other set.</summary>
        public void Add(string name, int[] heldOut, IReadOnlyList<(string Name, List<PreferencePair> Pairs)> sets, (float[] Chosen, float[] Rejected) heldOutRewards, List<(float[] Chosen, float[] Rejected)> setRewards)
        {
            if (!_harmless.TryGetValue(name, out var pooled))
            {
                _order.Add(name);
                pooled = (new float[harmless.Count], new float[harmless.Count], new bool[harmless.Count]);
                _harmless[name] = pooled;
            }

            for (int i = 0; i < heldOut.Length; i++)
            {
                pooled.Chosen[heldOut[i]] = heldOutRewards.Chosen[i];
                pooled.Rejected[heldOut[i]] = heldOutRewards.Rejected[i];
                pooled.Filled[heldOut[i]] = true;
            }

            for (int s = 0; s < sets.Count; s++)
            {
                var key = (name, sets[s].Name);
                if (!_sets.TryGetValue(key, out var reports))
                {
                    _sets[key] = reports = [];
                }

                reports.Add(_foldEvaluator.Evaluate(sets[s].Pairs, setRewards[s].Chosen, setRewards[s].Rejected));
            }
        }

        public Table AccuracyTable(List<string> sets)
        {
            var table = ResultTables.Create(["reward", .. sets.Take(1), HarmlessCv, .. sets.Skip(1).Take(1), .. LlmBarSubsets.Select(s => s.Replace("llmbar-", "", StringComparison.Ordinal).Replace("adversarial-", "adv-", StringComparison.Ordinal)), .. sets.Skip(2)]);
            foreach (string row in _order)
            {
                var cells = new List<string> { row, Mean(row, sets[0], r => r.Overall.Accuracy), ResultTables.Accuracy(Pooled(row).Overall), Mean(row, sets[1], r => r.Overall.Accuracy) };
                cells.AddRange(LlmBarSubsets.Select(subset => Mean(row, sets[1], r => r.PerSource[subset].Accuracy)));
                cells.AddRange(sets.Skip(2).Select(set => Mean(row, set, r => r.Overall.Accuracy)));
                table.AddPlainRow(cells);
            }

            return table;
        }

        public Table LengthCorrelationTable(List<string> sets)
        {
            var table = ResultTables.Create(["reward", ">reference set", .. sets.Take(1).Select(s => ">" + s), ">" + HarmlessCv, .. sets.Skip(1).Select(s => ">" + s)]);
            foreach (string row in _order)
            {
                string reference = _reference.TryGetValue(row, out var values) ? values.Average().ToString("F3", Invariant) : "-";
                table.AddPlainRow([row, reference, Mean(row, sets[0], r => r.LengthSpearman), Pooled(row).LengthSpearman.ToString("F3", Invariant), .. sets.Skip(1).Select(set => Mean(row, set, r => r.LengthSpearman))]);
            }

            return table;
        }

        private EvaluationReport Pooled(string row)
        {
            var (chosen, rejected, filled) = _harmless[row];
            if (filled.Any(f => !f))
            {
                throw new InvalidOperationException($"'{row}' has no held-out reward for some hh-harmless-test pairs");
            }

            return _pooledEvaluator.Evaluate(harmless, chosen, rejected);
        }

        private string Mean(string row, string set, Func<EvaluationReport, double> metric) => _sets[(row, set)].Average(metric).ToString("F3", Invariant);
    }
}
