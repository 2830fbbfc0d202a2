using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Active;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Synthetic;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>active-sim</c>: the SEA evidence. A simulated online run on the synthetic benchmark with a golden-reward oracle: each
/// round a new prompt brings N candidate embeddings, the strategy picks a pair, the oracle labels it, the ensemble takes a
/// few anchored gradient steps. Reported: the golden reward of the ensemble-mean best-of-N choice on held-out prompts against
/// the number of labels, per strategy, over several seeds.
/// </summary>
internal static class ActiveSimulationCommand
{
    private const string Name = "active-sim";

    public static Command Create()
    {
        var output = ReportWriter.OutputOption(Name);
        var labels = new Option<int>("--labels") { Description = "Labels (online rounds) per run.", DefaultValueFactory = _ => 320 };
        var candidates = new Option<int>("--candidates") { Description = "Candidate responses per prompt (N of best-of-N).", DefaultValueFactory = _ => 16 };
        var members = new Option<int>("--members") { Description = "Ensemble members (MLP heads, different random initialisations).", DefaultValueFactory = _ => 8 };
        var hidden = SharedOptions.Hidden("Hidden sizes of the member MLPs.", 32);
        var dimension = new Option<int>("--dimension") { Description = "Embedding dimension of the synthetic benchmark.", DefaultValueFactory = _ => 32 };
        var seeds = new Option<int>("--seeds") { Description = "Independent runs per strategy (seeds 0..n-1).", DefaultValueFactory = _ => 10 };
        var anchor = new Option<float>("--anchor") { Description = "Strength of the pull towards each member's initial weights.", DefaultValueFactory = _ => new OnlineLearningOptions().AnchorStrength };
        var noise = new Option<double>("--label-noise") { Description = "Probability that the oracle's label is flipped.", DefaultValueFactory = _ => 0.0 };
        var command = new Command(Name, "SEA evidence: simulated online preference learning with a golden-reward oracle; best-of-N golden reward against labels used, for Thompson sampling, Thompson + max variance, uncertainty sampling and random pairs.")
        {
            output, labels, candidates, members, hidden, dimension, seeds, anchor, noise,
        };
        command.SetAction((parse, cancel) =>
        {
            var settings = new SimulationSettings(parse.GetValue(labels), parse.GetValue(candidates), parse.GetValue(members), parse.GetValue(hidden)!, parse.GetValue(dimension), parse.GetValue(seeds), parse.GetValue(anchor), parse.GetValue(noise));
            settings.Validate();
            Run(new ReportWriter(parse.GetValue(output)!), settings, cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private sealed record SimulationSettings(int Labels, int Candidates, int Members, int[] Hidden, int Dimension, int Seeds, float Anchor, double LabelNoise)
    {
        /// <summary>Held-out prompts the policy's best-of-N choice is scored on.</summary>
        public const int EvaluationPrompts = 200;

        public void Validate()
        {
            if (Labels < 1 || Candidates < 2 || Members < 2 || Dimension < 2 || Seeds < 1 || Hidden.Any(h => h < 1) || LabelNoise is < 0 or >= 0.5)
            {
                throw new UsageException("--labels and --seeds must be at least 1, --candidates, --members and --dimension at least 2, --hidden sizes positive, --label-noise in [0, 0.5)");
            }
        }

        /// <summary>Label counts at which the policy is evaluated: 0, then doubling from 10, and the last one.</summary>
        public int[] Checkpoints => [0, .. Enumerable.Range(0, 20).Select(i => 10 << i).TakeWhile(c => c < Labels), Labels];
    }

    private static void Run(ReportWriter report, SimulationSettings settings, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = settings.Dimension, TrainPairs = 1, TestPairs = 1, Seed = 42 });
        var evaluation = bench.SampleEmbeddings(SimulationSettings.EvaluationPrompts * settings.Candidates, seed: 123_456);
        var evaluationGolden = Golden(bench, evaluation);
        int[] checkpoints = settings.Checkpoints;
        var selectors = PairSelectors.All;

        // reward[selector][checkpoint][seed]
        var reward = selectors.Select(_ => checkpoints.Select(_ => new double[settings.Seeds]).ToArray()).ToArray();
        Parallel.For(0, selectors.Count * settings.Seeds, new ParallelOptions { CancellationToken = cancel }, job =>
        {
            int s = job / settings.Seeds, seed = job % settings.Seeds;
            var curve = RunOnce(bench, selectors[s], seed, settings, evaluation, evaluationGolden, checkpoints);
            for (int c = 0; c < checkpoints.Length; c++)
            {
                reward[s][c][seed] = curve[c];
            }
        });

        double oracle = BestOfN.MeanGoldenOfChoice(evaluationGolden, evaluationGolden, settings.Candidates, settings.Candidates);
        double random = evaluationGolden.Average();
        // The random selector is the passive baseline; within a seed every strategy sees the same prompts, so differences are paired.
        int baseline = selectors.ToList().FindIndex(s => s is RandomPairSelector);
        var others = Enumerable.Range(0, selectors.Count).Where(s => s != baseline).ToArray();
        var table = ResultTables.Create([">labels", .. selectors.Select(s => s.Name), .. others.Select(s => $"{selectors[s].Name} − random")]);
        var chart = new Chart { Title = $"Online best-of-{settings.Candidates} golden reward vs labels", XLabel = "labels used", YLabel = "mean golden reward of the chosen candidate" };
        var points = selectors.Select(_ => new List<ChartPoint>()).ToArray();
        for (int c = 0; c < checkpoints.Length; c++)
        {
            var cells = new List<string> { checkpoints[c].ToString(CultureInfo.InvariantCulture) };
            for (int s = 0; s < selectors.Count; s++)
            {
                var summary = SeedSummary.Of(reward[s][c]);
                cells.Add(summary.ToString());
                points[s].Add(summary.At(checkpoints[c]));
            }

            foreach (int s in others)
            {
                cells.Add(SeedSummary.Of([.. reward[s][c].Zip(reward[baseline][c], (x, y) => x - y)]).ToString());
            }

            table.AddPlainRow(cells);
        }

        for (int s = 0; s < selectors.Count; s++)
        {
            chart.Series.Add(new ChartSeries(selectors[s].Name, points[s]));
        }

        Console.WriteLine($"Synthetic benchmark, d = {settings.Dimension}; each round a new prompt with {settings.Candidates} candidate embeddings; oracle = golden reward (label noise {settings.LabelNoise:P0}).");
        Console.WriteLine($"Ensemble of {settings.Members} MLP {string.Join("-", settings.Hidden)} heads from different random initialisations; per label {new OnlineLearningOptions().StepsPerLabel} AdamW steps per member on 32 labels drawn from all so far, anchor λ = {settings.Anchor}.");
        Console.WriteLine($"Policy: ensemble-mean best-of-{settings.Candidates} on {SimulationSettings.EvaluationPrompts} held-out prompts. References: random pick {random:F3}, oracle best-of-{settings.Candidates} {oracle:F3}.");
        Console.WriteLine($"Cells: mean golden reward over seeds 0..{settings.Seeds - 1} ± 95% normal interval of the mean; the last columns are per-seed (paired) differences from random.");
        Console.WriteLine();
        report.Table("active-selection", $"Golden reward of the best-of-{settings.Candidates} choice against labels used (random pick {random:F3}, oracle {oracle:F3}):", table);
        report.Chart("active-selection", chart);
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
    }

    /// <summary>One online run; the policy's mean best-of-N golden reward at each checkpoint.</summary>
    private static double[] RunOnce(SyntheticPreferenceBenchmark bench, IPairSelector selector, int seed, SimulationSettings settings, FloatMatrix evaluation, float[] evaluationGolden, int[] checkpoints)
    {
        var spec = new MlpHeadSpec { HiddenSizes = settings.Hidden };
        var ensemble = new RewardEnsemble([.. Enumerable.Range(0, settings.Members).Select(m => spec.Create(settings.Dimension, SeededRandom.Derive(seed, m)))]);
        var learner = new OnlineEnsembleLearner(ensemble, new OnlineLearningOptions { Seed = seed, AnchorStrength = settings.Anchor });
        var noise = new SeededRandom(SeededRandom.Derive(seed, 77));
        var curve = new double[checkpoints.Length];
        int next = 0;
        for (int label = 0; ; label++)
        {
            if (label == checkpoints[next])
            {
                var scores = ensemble.Score(evaluation, EnsembleAggregator.Mean).Rewards;
                curve[next++] = BestOfN.MeanGoldenOfChoice(scores, evaluationGolden, settings.Candidates, settings.Candidates);
                if (next == checkpoints.Length)
                {
                    return curve;
                }
            }

            // The prompts of a seed are the same for every strategy.
            var candidates = bench.SampleEmbeddings(settings.Candidates, SeededRandom.Derive(seed, 10_000 + label));
            var pair = learner.Select(candidates, selector);
            var first = candidates.Row(pair.First);
            var second = candidates.Row(pair.Second);
            bool firstWins = (bench.GoldenReward(first) >= bench.GoldenReward(second)) ^ (noise.NextDouble() < settings.LabelNoise);
            if (firstWins)
            {
                learner.Update(first, second);
            }
            else
            {
                learner.Update(second, first);
            }
        }
    }

    private static float[] Golden(SyntheticPreferenceBenchmark bench, FloatMatrix rows) => [.. Enumerable.Range(0, rows.Rows).Select(i => bench.GoldenReward(rows.Row(i)))];
}
