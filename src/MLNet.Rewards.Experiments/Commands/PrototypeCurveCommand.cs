using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>prototype-curve</c>: the Proto-RM evidence. Accuracy against the share of training pairs used, for the prototype, linear
/// and MLP heads: hh-harmless-test by prompt-grouped cross-validation, alpaca-eval-train → alpaca-eval-test, and llmbar
/// out of domain. Writes tables and SVG plots.
/// </summary>
internal static class PrototypeCurveCommand
{
    private const string Name = "prototype-curve";

    private static readonly double[] Fractions = [0.01, 0.05, 0.10, 0.25, 0.50, 1.00];

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data") { Description = "Folder with hh-harmless-test, alpaca-eval-train, alpaca-eval-test and llmbar (.jsonl.gz).", Required = true };
        var output = ReportWriter.OutputOption(Name);
        var seeds = new Option<int>("--seeds") { Description = "Seeds per setting (subsample, initialisation, shuffling).", DefaultValueFactory = _ => 3 };
        var folds = new Option<int>("--folds") { Description = "Prompt-grouped cross-validation folds on hh-harmless-test.", DefaultValueFactory = _ => 5 };
        var maxTrain = new Option<int>("--max-train") { Description = "Seeded subsample of alpaca-eval-train used as its 100% (0 = all 34,692 pairs).", DefaultValueFactory = _ => 4000 };
        var hidden = SharedOptions.Hidden("Hidden sizes of the MLP head.", 128);
        var prototypes = new Option<int>("--prototypes") { Description = "Prototypes of the prototype head.", DefaultValueFactory = _ => 32 };
        var command = new Command(Name, "Proto-RM evidence: accuracy against the fraction of training pairs (1% .. 100%) for prototype, linear and MLP heads, with seeds and bootstrap intervals.")
        {
            data, output, seeds, folds, maxTrain, hidden, prototypes,
        };
        var featurizer = new FeaturizerOptions();
        foreach (var option in featurizer.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var settings = new CurveSettings(parse.GetValue(seeds), parse.GetValue(folds), parse.GetValue(maxTrain), parse.GetValue(hidden)!, parse.GetValue(prototypes));
            settings.Validate();
            using var scope = featurizer.CreateEmbedder(parse);
            var pairFeaturizer = new PairFeaturizer(scope.Embedder, parse.GetValue(featurizer.Layout));
            Run(parse.GetValue(data)!, new ReportWriter(parse.GetValue(output)!), pairFeaturizer, settings, cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private sealed record CurveSettings(int Seeds, int Folds, int MaxTrain, int[] Hidden, int Prototypes)
    {
        public IReadOnlyList<(string Name, HeadSpec Spec)> Heads =>
        [
            ($"prototype K={Prototypes}", new PrototypeHeadSpec { Prototypes = Prototypes }),
            ("linear", new LinearHeadSpec()),
            ($"MLP {string.Join("-", Hidden)}", new MlpHeadSpec { HiddenSizes = Hidden }),
        ];

        public void Validate()
        {
            if (Seeds < 1 || Folds < 2 || MaxTrain < 0 || Prototypes < 1 || Hidden.Any(h => h < 1))
            {
                throw new UsageException("--seeds and --prototypes must be at least 1, --folds at least 2, --max-train not negative, --hidden sizes positive");
            }
        }
    }

    /// <summary>
    /// Trainer settings for a subsample of <paramref name="pairs"/>: at least 400 gradient steps (10..200 epochs of 64-pair
    /// batches), early stopping on a 10% prompt-grouped hold-out only when there are 500 pairs or more.
    /// </summary>
    private static PairwiseTrainerOptions TrainerFor(HeadSpec head, int pairs, long seed)
    {
        const int BatchSize = 64, MinSteps = 400;
        int stepsPerEpoch = (pairs + BatchSize - 1) / BatchSize;
        return new PairwiseTrainerOptions
        {
            Head = head,
            BatchSize = BatchSize,
            MaxEpochs = Math.Clamp((MinSteps + stepsPerEpoch - 1) / stepsPerEpoch, 10, 200),
            ValidationFraction = pairs >= 500 ? 0.1 : 0,
            Patience = 3,
            Seed = seed,
        };
    }

    private static void Run(DirectoryInfo directory, ReportWriter report, PairFeaturizer featurizer, CurveSettings settings, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        string PathOf(string name) => Path.Combine(directory.FullName, name + ".jsonl.gz");
        PairwiseDataset Featurize(IReadOnlyList<PreferencePair> pairs, string name) => ProgressDisplay.Run($"embedding {name}", p => featurizer.Featurize(pairs, p, cancel));

        var harmless = PreferencePairReader.ReadAll(PathOf("hh-harmless-test"));
        var alpacaTrain = Subsample(PreferencePairReader.ReadAll(PathOf("alpaca-eval-train")), settings.MaxTrain, seed: 7);
        var alpacaTest = PreferencePairReader.ReadAll(PathOf("alpaca-eval-test"));
        var llmbar = PreferencePairReader.ReadAll(PathOf("llmbar"));
        var harmlessData = Featurize(harmless, "hh-harmless-test");
        var alpacaTrainData = Featurize(alpacaTrain, "alpaca-eval-train");
        var alpacaTestData = Featurize(alpacaTest, "alpaca-eval-test");
        var llmbarData = Featurize(llmbar, "llmbar");

        // correct[(setting, fraction, head)][seed][pair]
        var correct = new Dictionary<(string, double, string), double[][]>();
        double[] Cell(string setting, double fraction, string head, int seed, int pairs)
        {
            if (!correct.TryGetValue((setting, fraction, head), out var perSeed))
            {
                correct[(setting, fraction, head)] = perSeed = new double[settings.Seeds][];
            }

            return perSeed[seed] ??= new double[pairs];
        }

        int[] foldOf = [.. harmless.Select(p => PromptGroupedSplit.FoldOf(p.Prompt, settings.Folds, 0))];
        for (int seed = 0; seed < settings.Seeds; seed++)
        {
            for (int fold = 0; fold < settings.Folds; fold++)
            {
                int[] testIdx = [.. Enumerable.Range(0, harmless.Count).Where(i => foldOf[i] == fold)];
                int[] trainIdx = [.. Enumerable.Range(0, harmless.Count).Where(i => foldOf[i] != fold)];
                var test = harmlessData.Subset(testIdx);
                var order = Permutation(trainIdx.Length, SeededRandom.Derive(seed, fold));
                foreach (double fraction in Fractions)
                {
                    var train = harmlessData.Subset([.. order.Take(Take(fraction, trainIdx.Length)).Select(i => trainIdx[i])]);
                    foreach (var (name, spec) in settings.Heads)
                    {
                        cancel.ThrowIfCancellationRequested();
                        var head = new PairwiseTrainer(TrainerFor(spec, train.Count, SeededRandom.Derive(seed, 100 + fold))).Fit(train, cancellationToken: cancel).Head;
                        var cell = Cell("hh-harmless-test (5-fold CV)", fraction, name, seed, harmless.Count);
                        var outcome = Correctness(head, test);
                        for (int i = 0; i < testIdx.Length; i++)
                        {
                            cell[testIdx[i]] = outcome[i];
                        }
                    }
                }

                Console.Error.WriteLine($"seed {seed}, hh-harmless fold {fold}: done ({total.Elapsed.TotalSeconds:F0} s)");
            }

            var alpacaOrder = Permutation(alpacaTrainData.Count, SeededRandom.Derive(seed, 999));
            foreach (double fraction in Fractions)
            {
                var train = alpacaTrainData.Subset([.. alpacaOrder.Take(Take(fraction, alpacaTrainData.Count))]);
                foreach (var (name, spec) in settings.Heads)
                {
                    cancel.ThrowIfCancellationRequested();
                    var head = new PairwiseTrainer(TrainerFor(spec, train.Count, SeededRandom.Derive(seed, 999))).Fit(train, cancellationToken: cancel).Head;
                    Correctness(head, alpacaTestData).CopyTo(Cell("alpaca-eval-test", fraction, name, seed, alpacaTestData.Count), 0);
                    Correctness(head, llmbarData).CopyTo(Cell("llmbar (out of domain)", fraction, name, seed, llmbarData.Count), 0);
                }
            }

            Console.Error.WriteLine($"seed {seed}, alpaca-eval: done ({total.Elapsed.TotalSeconds:F0} s)");
        }

        Console.WriteLine($"Featurizer {featurizer.Embedder}, layout {featurizer.Layout} ({featurizer.Dimension} features); seeds 0..{settings.Seeds - 1}.");
        Console.WriteLine($"hh-harmless-test: {harmless.Count} pairs, {settings.Folds}-fold prompt-grouped CV, fractions of each fold's training part. alpaca-eval: {alpacaTrain.Count} training pairs (seeded subsample), {alpacaTest.Count} test pairs, llmbar {llmbar.Count} pairs.");
        Console.WriteLine("Cells: accuracy averaged over seeds [bootstrap 95% CI over pairs of the seed-averaged correctness] ± standard deviation across seeds.");
        Console.WriteLine();
        string[] settingsOrder = ["hh-harmless-test (5-fold CV)", "alpaca-eval-test", "llmbar (out of domain)"];
        string[] files = ["proto-curve-hh-harmless", "proto-curve-alpaca-eval", "proto-curve-llmbar"];
        var summaryRandom = new EvaluationOptions();
        for (int s = 0; s < settingsOrder.Length; s++)
        {
            string setting = settingsOrder[s];
            var table = ResultTables.Create(["train fraction", ">train pairs", .. settings.Heads.Select(h => h.Name)]);
            var chart = new Chart { Title = $"Accuracy vs training fraction: {setting}", XLabel = "fraction of training pairs (log scale)", YLabel = "pairwise accuracy", LogX = true };
            var points = settings.Heads.ToDictionary(h => h.Name, _ => new List<ChartPoint>());
            int fullTrain = s == 0 ? harmless.Count - (harmless.Count / settings.Folds) : alpacaTrain.Count;
            foreach (double fraction in Fractions)
            {
                var cells = new List<string> { fraction.ToString("P0", CultureInfo.InvariantCulture), (s == 0 ? "~" : string.Empty) + Take(fraction, fullTrain).ToString(CultureInfo.InvariantCulture) };
                foreach (var (name, _) in settings.Heads)
                {
                    var (mean, low, high, sd) = Summarize(correct[(setting, fraction, name)], summaryRandom);
                    cells.Add(string.Format(CultureInfo.InvariantCulture, "{0:F3} [{1:F3}, {2:F3}] ±{3:F3}", mean, low, high, sd));
                    points[name].Add(new ChartPoint(fraction * 100, mean, low, high));
                }

                table.AddPlainRow(cells);
            }

            foreach (var (name, _) in settings.Heads)
            {
                chart.Series.Add(new ChartSeries(name, points[name]));
            }

            report.Table(files[s], $"Proto-RM learning curve, {setting}:", table);
            report.Chart(files[s], chart);
        }

        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
    }

    private static int Take(double fraction, int count) => Math.Clamp((int)Math.Round(fraction * count), 2, count);

    private static int[] Permutation(int count, long seed)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        new SeededRandom(seed).Shuffle<int>(order);
        return order;
    }

    private static List<PreferencePair> Subsample(List<PreferencePair> pairs, int limit, long seed) =>
        limit == 0 || pairs.Count <= limit ? pairs : [.. Permutation(pairs.Count, seed).Take(limit).Order().Select(i => pairs[i])];

    /// <summary>1 when the chosen response scores higher, 0.5 on a tie, 0 otherwise; per pair.</summary>
    private static double[] Correctness(RewardHead head, PairwiseDataset data)
    {
        var chosen = new float[data.Count];
        var rejected = new float[data.Count];
        head.Score(data.Chosen, chosen);
        head.Score(data.Rejected, rejected);
        return [.. chosen.Zip(rejected, (c, r) => c > r ? 1.0 : c == r ? 0.5 : 0.0)];
    }

    /// <summary>Mean accuracy, bootstrap interval over pairs of the seed-averaged correctness, and the standard deviation of the per-seed accuracies.</summary>
    private static (double Mean, double Low, double High, double StdDev) Summarize(double[][] perSeed, EvaluationOptions options)
    {
        int pairs = perSeed[0].Length;
        var averaged = new double[pairs];
        foreach (var seed in perSeed)
        {
            for (int i = 0; i < pairs; i++)
            {
                averaged[i] += seed[i] / perSeed.Length;
            }
        }

        var (low, high) = Statistics.BootstrapMeanInterval(averaged, options.BootstrapSamples, options.Seed);
        var seeds = SeedSummary.Of([.. perSeed.Select(s => s.Average())]);
        return (seeds.Mean, low, high, seeds.StdDev);
    }
}
