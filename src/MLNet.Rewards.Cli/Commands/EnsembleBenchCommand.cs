using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Cli.Reporting;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// <c>ensemble-bench</c>: the ensembles evidence, in the style of the "Reusing Embeddings" paper's case study. On the synthetic
/// benchmark (known golden reward, label noise 0 .. 40%), a single model against a bootstrap ensemble under each
/// aggregation: test accuracy, and the golden reward of the best-of-N choice for N = 2 .. 500.
/// </summary>
internal static class EnsembleBenchCommand
{
    private static readonly double[] NoiseLevels = [0.0, 0.1, 0.2, 0.3, 0.4];
    private static readonly int[] CandidateCounts = [2, 5, 10, 20, 50, 100, 200, 500];

    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the result tables (.md) and plots (.svg).", DefaultValueFactory = _ => new DirectoryInfo("docs/results") };
        var members = new Option<int>("--members") { Description = "Ensemble members (bootstrap resamples).", DefaultValueFactory = _ => 5 };
        var trainPairs = new Option<int>("--train-pairs") { Description = "Training pairs of the synthetic benchmark.", DefaultValueFactory = _ => 5000 };
        var hidden = new Option<int[]>("--hidden") { Description = "Hidden sizes of the MLP heads.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [64, 64] };
        var prompts = new Option<int>("--prompts") { Description = "Best-of-N prompts, each with 500 sampled candidate embeddings.", DefaultValueFactory = _ => 200 };
        var lcb = new Option<double>("--lcb-k") { Description = "k of the mean − k·std aggregation.", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "Seed of data, training and candidates.", DefaultValueFactory = _ => 0 };
        var command = new Command("ensemble-bench", "Ensembles evidence on the synthetic benchmark: accuracy and best-of-N golden reward (N = 2..500) of a single model against mean, min, mean − k·std and one-member aggregation, at label noise 0..40%.")
        {
            output, members, trainPairs, hidden, prompts, lcb, seed,
        };
        command.SetAction((parse, cancel) =>
        {
            int memberCount = parse.GetValue(members), pairs = parse.GetValue(trainPairs), promptCount = parse.GetValue(prompts);
            double k = parse.GetValue(lcb);
            if (memberCount < 2 || pairs < 10 || promptCount < 1 || !(k >= 0))
            {
                throw new UsageException("--members must be at least 2, --train-pairs at least 10, --prompts at least 1 and --lcb-k not negative");
            }

            var trainer = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = parse.GetValue(hidden)! }, MaxEpochs = 30, Patience = 3, Seed = parse.GetValue(seed) };
            Run(new ReportWriter(parse.GetValue(output)!), trainer, memberCount, pairs, promptCount, k, cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void Run(ReportWriter report, PairwiseTrainerOptions trainer, int members, int trainPairs, int prompts, double k, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        EnsembleAggregator[] aggregators = [EnsembleAggregator.Mean, EnsembleAggregator.Min, EnsembleAggregator.LowerConfidenceBound(k), EnsembleAggregator.Member(0)];
        string[] methods = ["single model", .. aggregators.Select(a => $"ensemble {a}")];
        var evaluator = new PairwiseEvaluator();
        var accuracyTable = ResultTables.Create(["label noise", ">flipped", .. methods]);
        var accuracyChart = new SvgLineChart { Title = "Test accuracy vs label noise", XLabel = "share of flipped training labels (%)", YLabel = "accuracy against the golden reward" };
        var accuracyPoints = methods.ToDictionary(m => m, _ => new List<ChartPoint>());
        var bonTables = new List<(double Noise, Spectre.Console.Table Table, SvgLineChart Chart)>();

        foreach (double noise in NoiseLevels)
        {
            var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { LabelNoise = noise, TrainPairs = trainPairs, Seed = trainer.Seed + 42 });
            var single = new PairwiseTrainer(trainer with { MaxDegreeOfParallelism = 1 }).Fit(bench.Train, cancellationToken: cancel).Head;
            var ensemble = new EnsembleTrainer(new EnsembleTrainerOptions { Trainer = trainer, Members = members }).Fit(bench.Train, cancellationToken: cancel).Ensemble;
            Console.Error.WriteLine($"noise {noise:P0}: trained ({total.Elapsed.TotalSeconds:F0} s)");

            // Test accuracy of each method.
            var cells = new List<string> { noise.ToString("P0", CultureInfo.InvariantCulture), bench.FlippedLabels.ToString("N0", CultureInfo.InvariantCulture) };
            var testChosen = Scores(single, ensemble, aggregators, bench.Test.Chosen);
            var testRejected = Scores(single, ensemble, aggregators, bench.Test.Rejected);
            for (int m = 0; m < methods.Length; m++)
            {
                var summary = evaluator.Accuracy(testChosen[m], testRejected[m]);
                cells.Add(ResultTables.Accuracy(summary));
                accuracyPoints[methods[m]].Add(new ChartPoint(noise * 100, summary.Accuracy, summary.Low, summary.High));
            }

            accuracyTable.AddPlainRow(cells);

            // Best-of-N: prompt p has candidates p·500 .. p·500+499; the first N of them compete.
            int pool = CandidateCounts[^1];
            var candidates = bench.SampleEmbeddings(prompts * pool, SeededRandom.Derive(trainer.Seed, (long)(noise * 1000) + 5));
            var golden = new float[candidates.Rows];
            for (int i = 0; i < golden.Length; i++)
            {
                golden[i] = bench.GoldenReward(candidates.Row(i));
            }

            var scores = Scores(single, ensemble, aggregators, candidates);
            string[] columns = ["random pick", .. methods, "oracle"];
            var table = ResultTables.Create(["N", .. columns.Select(c => ">" + c)]);
            var chart = new SvgLineChart { Title = $"Best-of-N golden reward, label noise {noise:P0}", XLabel = "N candidates (log scale)", YLabel = "mean golden reward of the chosen candidate", LogX = true };
            var points = columns.ToDictionary(c => c, _ => new List<ChartPoint>());
            foreach (int n in CandidateCounts)
            {
                var row = new List<string> { n.ToString(CultureInfo.InvariantCulture) };
                double[] values = [BestOfN.MeanGoldenOfRandomPick(golden, pool, n), .. scores.Select(s => BestOfN.MeanGoldenOfChoice(s, golden, pool, n)), BestOfN.MeanGoldenOfChoice(golden, golden, pool, n)];
                for (int c = 0; c < columns.Length; c++)
                {
                    row.Add(values[c].ToString("F3", CultureInfo.InvariantCulture));
                    points[columns[c]].Add(new ChartPoint(n, values[c]));
                }

                table.AddPlainRow(row);
            }

            foreach (string column in columns)
            {
                chart.Series.Add(new ChartSeries(column, points[column]));
            }

            bonTables.Add((noise, table, chart));
            cancel.ThrowIfCancellationRequested();
        }

        foreach (string method in methods)
        {
            accuracyChart.Series.Add(new ChartSeries(method, accuracyPoints[method]));
        }

        string mlp = string.Join("-", ((MlpHeadSpec)trainer.Head).HiddenSizes);
        Console.WriteLine($"Synthetic benchmark (d = 128, golden reward w·x + v·tanh(Ux)), {trainPairs:N0} training pairs, 5,000 golden-labelled test pairs; MLP {mlp} heads;");
        Console.WriteLine($"ensemble of {members} members on bootstrap resamples; single model on all pairs; seed {trainer.Seed}. Best-of-N over {prompts} prompts of 500 candidates each.");
        Console.WriteLine();
        report.Table("ensemble-accuracy", "Test accuracy [bootstrap 95% CI] against the golden reward:", accuracyTable);
        report.Chart("ensemble-accuracy", accuracyChart);
        foreach (var (noise, table, chart) in bonTables)
        {
            string name = $"ensemble-best-of-n-noise{noise * 100:00}";
            report.Table(name, $"Best-of-N mean golden reward of the chosen candidate, label noise {noise:P0}:", table);
            report.Chart(name, chart);
        }

        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
    }

    /// <summary>Rewards of every row by the single model, then by the ensemble under each aggregator.</summary>
    private static float[][] Scores(RewardHead single, RewardEnsemble ensemble, EnsembleAggregator[] aggregators, FloatMatrix rows)
    {
        var singleScores = new float[rows.Rows];
        single.Score(rows, singleScores);
        var memberScores = ensemble.ScoreMembers(rows);
        return [singleScores, .. aggregators.Select(a => RewardEnsemble.Aggregate(memberScores, a).Rewards)];
    }
}
