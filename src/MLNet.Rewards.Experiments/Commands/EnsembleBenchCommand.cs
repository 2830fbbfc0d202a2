using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>ensemble-bench</c>: the ensembles evidence, in the style of the "Reusing Embeddings" paper's case study. On the synthetic
/// benchmark (known golden reward, label noise 0 .. 40%), a single model against a bootstrap ensemble under each
/// aggregation: test accuracy, and the golden reward of the best-of-N choice for N = 2 .. 500.
/// </summary>
internal static class EnsembleBenchCommand
{
    private const string Name = "ensemble-bench";

    private static readonly double[] NoiseLevels = [0.0, 0.1, 0.2, 0.3, 0.4];
    private static readonly int[] CandidateCounts = [2, 5, 10, 20, 50, 100, 200, 500];
    private static readonly PairwiseEvaluator Evaluator = new(new EvaluationOptions { BootstrapSamples = 1 });

    public static Command Create()
    {
        var output = ReportWriter.OutputOption(Name);
        var members = new Option<int>("--members") { Description = "Ensemble members (bootstrap resamples).", DefaultValueFactory = _ => 5 };
        var trainPairs = new Option<int>("--train-pairs") { Description = "Training pairs of the synthetic benchmark.", DefaultValueFactory = _ => 5000 };
        var hidden = SharedOptions.Hidden("Hidden sizes of the MLP heads.", 64, 64);
        var prompts = new Option<int>("--prompts") { Description = "Best-of-N prompts, each with 500 sampled candidate embeddings.", DefaultValueFactory = _ => 200 };
        var lcb = new Option<double>("--lcb-k") { Description = "k of the mean − k·std aggregation.", DefaultValueFactory = _ => 1.0 };
        var seed = SharedOptions.Seed<long>("First seed of data, training and candidates.");
        var seeds = new Option<int>("--seeds") { Description = "Independent repetitions (seeds --seed, --seed+1, ...).", DefaultValueFactory = _ => 3 };
        var command = new Command(Name, "Ensembles evidence on the synthetic benchmark: accuracy and best-of-N golden reward (N = 2..500) of a single model against mean, min, mean − k·std and one-member aggregation, at label noise 0..40%.")
        {
            output, members, trainPairs, hidden, prompts, lcb, seed, seeds,
        };
        command.SetAction((parse, cancel) =>
        {
            var settings = new BenchSettings(parse.GetValue(members), parse.GetValue(trainPairs), parse.GetValue(prompts), parse.GetValue(lcb), parse.GetValue(seeds));
            settings.Validate();
            var trainer = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = parse.GetValue(hidden)! }, MaxEpochs = 30, Patience = 3, Seed = parse.GetValue(seed) };
            Run(new ReportWriter(parse.GetValue(output)!), trainer, settings, cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private sealed record BenchSettings(int Members, int TrainPairs, int Prompts, double LcbK, int Seeds)
    {
        public void Validate()
        {
            if (Members < 2 || TrainPairs < 10 || Prompts < 1 || !(LcbK >= 0) || Seeds < 1)
            {
                throw new UsageException("--members must be at least 2, --train-pairs at least 10, --prompts and --seeds at least 1, --lcb-k not negative");
            }
        }
    }

    private static void Run(ReportWriter report, PairwiseTrainerOptions trainer, BenchSettings settings, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        EnsembleAggregator[] aggregators = [EnsembleAggregator.Mean, EnsembleAggregator.Min, EnsembleAggregator.LowerConfidenceBound(settings.LcbK), EnsembleAggregator.Member(0)];
        string[] methods = ["single model", .. aggregators.Select(a => $"ensemble {a}")];
        string[] columns = ["random pick", .. methods, "oracle"];
        int pool = CandidateCounts[^1];

        // accuracy[noise][method][seed]; bestOfN[noise][n][column][seed]
        var accuracy = NoiseLevels.Select(_ => methods.Select(_ => new double[settings.Seeds]).ToArray()).ToArray();
        var bestOfN = NoiseLevels.Select(_ => CandidateCounts.Select(_ => columns.Select(_ => new double[settings.Seeds]).ToArray()).ToArray()).ToArray();
        for (int v = 0; v < NoiseLevels.Length; v++)
        {
            for (int seed = 0; seed < settings.Seeds; seed++)
            {
                cancel.ThrowIfCancellationRequested();
                long runSeed = trainer.Seed + seed;
                var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { LabelNoise = NoiseLevels[v], TrainPairs = settings.TrainPairs, Seed = runSeed + 42 });
                var options = trainer with { Seed = runSeed };
                var single = new PairwiseTrainer(options with { MaxDegreeOfParallelism = 1 }).Fit(bench.Train, cancellationToken: cancel).Head;
                var ensemble = new EnsembleTrainer(new EnsembleTrainerOptions { Trainer = options, Members = settings.Members }).Fit(bench.Train, cancellationToken: cancel).Ensemble;

                var testChosen = Scores(single, ensemble, aggregators, bench.Test.Chosen);
                var testRejected = Scores(single, ensemble, aggregators, bench.Test.Rejected);
                for (int m = 0; m < methods.Length; m++)
                {
                    accuracy[v][m][seed] = Evaluator.Accuracy(testChosen[m], testRejected[m]).Accuracy;
                }

                // Best-of-N: prompt p has candidates p·500 .. p·500+499; the first N of them compete.
                var candidates = bench.SampleEmbeddings(settings.Prompts * pool, SeededRandom.Derive(runSeed, 5));
                var golden = new float[candidates.Rows];
                for (int i = 0; i < golden.Length; i++)
                {
                    golden[i] = bench.GoldenReward(candidates.Row(i));
                }

                var scores = Scores(single, ensemble, aggregators, candidates);
                for (int j = 0; j < CandidateCounts.Length; j++)
                {
                    int n = CandidateCounts[j];
                    double[] values = [BestOfN.MeanGoldenOfRandomPick(golden, pool, n), .. scores.Select(s => BestOfN.MeanGoldenOfChoice(s, golden, pool, n)), BestOfN.MeanGoldenOfChoice(golden, golden, pool, n)];
                    for (int c = 0; c < columns.Length; c++)
                    {
                        bestOfN[v][j][c][seed] = values[c];
                    }
                }

                Console.Error.WriteLine($"noise {NoiseLevels[v]:P0}, seed {runSeed}: done ({total.Elapsed.TotalSeconds:F0} s)");
            }
        }

        string mlp = string.Join("-", ((MlpHeadSpec)trainer.Head).HiddenSizes);
        Console.WriteLine($"Synthetic benchmark (d = 128, golden reward w·x + v·tanh(Ux)), {settings.TrainPairs:N0} training pairs, 5,000 golden-labelled test pairs; MLP {mlp} heads;");
        Console.WriteLine($"ensemble of {settings.Members} members on bootstrap resamples; single model on all pairs. Best-of-N over {settings.Prompts} prompts of {pool} candidates each.");
        Console.WriteLine($"Seeds {trainer.Seed}..{trainer.Seed + settings.Seeds - 1} (each seed: new benchmark data, training and candidates). Cells: mean over seeds ± 95% normal interval of the mean; the last column is the per-seed difference.");
        Console.WriteLine();

        const string Paired = ">ensemble mean − single (paired)";
        var accuracyTable = ResultTables.Create(["label noise", .. methods, Paired]);
        var accuracyChart = new Chart { Title = "Test accuracy vs label noise", XLabel = "share of flipped training labels (%)", YLabel = "accuracy against the golden reward" };
        var accuracyPoints = methods.Select(_ => new List<ChartPoint>()).ToArray();
        for (int v = 0; v < NoiseLevels.Length; v++)
        {
            var summaries = accuracy[v].Select(SeedSummary.Of).ToArray();
            accuracyTable.AddPlainRow([NoiseLevels[v].ToString("P0", CultureInfo.InvariantCulture), .. summaries.Select(x => x.ToString()), PairedDifference(accuracy[v][1], accuracy[v][0])]);
            for (int m = 0; m < methods.Length; m++)
            {
                accuracyPoints[m].Add(summaries[m].At(NoiseLevels[v] * 100));
            }
        }

        for (int m = 0; m < methods.Length; m++)
        {
            accuracyChart.Series.Add(new ChartSeries(methods[m], accuracyPoints[m]));
        }

        report.Table("ensemble-accuracy", "Test accuracy against the golden reward:", accuracyTable);
        report.Chart("ensemble-accuracy", accuracyChart);

        for (int v = 0; v < NoiseLevels.Length; v++)
        {
            var table = ResultTables.Create(["N", .. columns.Select(c => ">" + c), Paired]);
            var chart = new Chart { Title = $"Best-of-N golden reward, label noise {NoiseLevels[v]:P0}", XLabel = "N candidates (log scale)", YLabel = "mean golden reward of the chosen candidate", LogX = true };
            var points = columns.Select(_ => new List<ChartPoint>()).ToArray();
            for (int j = 0; j < CandidateCounts.Length; j++)
            {
                var summaries = bestOfN[v][j].Select(SeedSummary.Of).ToArray();
                table.AddPlainRow([CandidateCounts[j].ToString(CultureInfo.InvariantCulture), .. summaries.Select(x => x.ToString()), PairedDifference(bestOfN[v][j][2], bestOfN[v][j][1])]);
                for (int c = 0; c < columns.Length; c++)
                {
                    points[c].Add(summaries[c].At(CandidateCounts[j]));
                }
            }

            for (int c = 0; c < columns.Length; c++)
            {
                chart.Series.Add(new ChartSeries(columns[c], points[c]));
            }

            string name = $"ensemble-best-of-n-noise{NoiseLevels[v] * 100:00}";
            report.Table(name, $"Best-of-N mean golden reward of the chosen candidate, label noise {NoiseLevels[v]:P0}:", table);
            report.Chart(name, chart);
        }

        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
    }

    /// <summary>Mean ± 95% interval over seeds of the per-seed difference <paramref name="a"/> − <paramref name="b"/> (same data and candidates within a seed).</summary>
    private static string PairedDifference(double[] a, double[] b) => SeedSummary.Of([.. a.Zip(b, (x, y) => x - y)]).ToString();

    /// <summary>Rewards of every row by the single model, then by the ensemble under each aggregator.</summary>
    private static float[][] Scores(RewardHead single, RewardEnsemble ensemble, EnsembleAggregator[] aggregators, FloatMatrix rows)
    {
        var singleScores = new float[rows.Rows];
        single.Score(rows, singleScores);
        var memberScores = ensemble.ScoreMembers(rows);
        return [singleScores, .. aggregators.Select(a => RewardEnsemble.Aggregate(memberScores, a).Rewards)];
    }
}
