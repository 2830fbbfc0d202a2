using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generalist;
using MLNet.Rewards.Heads;
using MLNet.Rewards;
using MLNet.Rewards.Pairwise;
using MLNet.Rewards.Ranking;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>ranking-head</c>: ML.NET's gradient-boosted ranking trainers (FastTree, LightGBM; grouped by pair or by prompt) as
/// reward heads beside the linear and MLP Bradley–Terry heads, all through <c>mlContext.Rewards()</c> on one feature
/// column: trained on alpaca-eval-train, evaluated on the demo's four sets.
/// </summary>
internal static class RankingHeadCommand
{
    private const string Name = "ranking-head";

    private const string DataOption = "--data";

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>(DataOption) { Description = "Folder with alpaca-eval-train, alpaca-eval-test, hh-harmless-test, llmbar and llmbar-processed (.jsonl.gz), and for --train Generalist the other training sources.", Required = true };
        var trainingSet = new Option<TrainingSet>("--train")
        {
            Description = "What every head trains on: AlpacaEval (alpaca-eval-train) or Generalist (train-generalist's sources, at most --cap pairs each).",
            DefaultValueFactory = _ => TrainingSet.AlpacaEval,
        };
        var cap = new Option<int>("--cap") { Description = "With --train Generalist: most pairs per source, chosen by a seeded hash of their ids (train-generalist's --cap).", DefaultValueFactory = _ => 1500 };
        var length = new Option<LengthHandling>("--length")
        {
            Description = "Length handling of the training pairs: None or Balance (as many chosen-longer as chosen-shorter pairs per source). Offset needs a margin, which the ranking heads do not take.",
            DefaultValueFactory = _ => LengthHandling.None,
        };
        var output = ReportWriter.OutputOption(Name);
        var seed = SharedOptions.Seed<int>("Seed of the Bradley–Terry heads and of the boosters.");
        var maxTrain = new Option<int>("--max-train") { Description = "Use the first N training pairs (0 = all), as the demo's --max-train; with --train Generalist, the first N after the cap.", DefaultValueFactory = _ => 0 };
        var hidden = SharedOptions.Hidden("Hidden sizes of the MLP head (the demo's default).", 1024, 512);
        var trees = new Option<int>("--trees") { Description = "Trees of the ranking heads.", DefaultValueFactory = _ => 100 };
        var leaves = new Option<int>("--leaves") { Description = "Leaves per tree of the ranking heads.", DefaultValueFactory = _ => 20 };
        var command = new Command(Name, "ML.NET ranking heads (FastTree and LightGBM LambdaRank, grouped by pair or prompt) beside the linear and MLP heads on the same features and splits.")
        {
            data, trainingSet, cap, length, output, seed, maxTrain, hidden, trees, leaves,
        };
        var featurizer = new FeaturizerOptions();
        featurizer.Buckets.DefaultValueFactory = _ => 512;
        foreach (var option in featurizer.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var settings = new Settings(parse.GetValue(seed), parse.GetValue(maxTrain), parse.GetValue(hidden)!, parse.GetValue(trees), parse.GetValue(leaves));
            if (settings.MaxTrain < 0 || settings.Hidden.Any(h => h < 1) || settings.Trees < 1 || settings.Leaves < 2)
            {
                throw new UsageException("--max-train must not be negative, --hidden sizes positive, --trees at least 1 and --leaves at least 2");
            }

            if (parse.GetValue(cap) < 1 || parse.GetValue(length) == LengthHandling.Offset)
            {
                throw new UsageException("--cap must be at least 1, and --length must be None or Balance (the ranking heads take no margin for an Offset)");
            }

            if (parse.GetValue(trainingSet) == TrainingSet.AlpacaEval && parse.GetResult(cap) is { Implicit: false })
            {
                throw new UsageException("--cap applies to --train Generalist only (alpaca-eval-train is one source; --max-train takes its first N pairs)");
            }

            var train = ReadTraining(parse.GetValue(data)!.FullName, parse.GetValue(trainingSet), parse.GetValue(cap), parse.GetValue(length), settings);

            using var scope = featurizer.CreateEmbedder(parse);
            Run(parse.GetValue(data)!, train, new ReportWriter(parse.GetValue(output)!), new PairFeaturizer(scope.Embedder, parse.GetValue(featurizer.Layout)), settings, cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>The training pairs of every head.</summary>
    private enum TrainingSet
    {
        /// <summary>alpaca-eval-train alone (the first --max-train pairs).</summary>
        AlpacaEval,

        /// <summary>train-generalist's sources, capped per source.</summary>
        Generalist,
    }

    private static (string Description, List<PreferencePair> Pairs) ReadTraining(string folder, TrainingSet set, int cap, LengthHandling length, Settings settings)
    {
        var pairs = set == TrainingSet.AlpacaEval
            ? PreferencePairReader.ReadAll(GeneralistSources.DataFile(folder, "alpaca-eval-train", DataOption))
            : GeneralistPairs.CapPerSource(GeneralistSources.ReadAll(folder, DataOption), cap, settings.Seed);
        if (settings.MaxTrain > 0 && pairs.Count > settings.MaxTrain)
        {
            pairs = [.. pairs.Take(settings.MaxTrain)];
        }

        if (length == LengthHandling.Balance)
        {
            pairs = GeneralistPairs.BalanceLength(pairs, settings.Seed);
        }

        string sources = string.Join(", ", pairs.GroupBy(p => p.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count():N0}"));
        string description = set == TrainingSet.AlpacaEval ? "alpaca-eval-train" : $"train-generalist's sources at most {cap:N0} pairs each ({sources})";
        return (length == LengthHandling.Balance ? description + ", length-balanced" : description, pairs);
    }

    private sealed record Settings(int Seed, int MaxTrain, int[] Hidden, int Trees, int Leaves)
    {
        /// <summary>Every head, as an estimator over the columns of <see cref="ResponseRow"/>.</summary>
        public IReadOnlyList<(string Name, Func<MLContext, IEstimator<ITransformer>> Create)> Heads =>
        [
            ("linear", ml => ml.Rewards().PairwiseReward(Pairwise(new LinearHeadSpec()))),
            ($"MLP {string.Join("-", Hidden)}", ml => ml.Rewards().PairwiseReward(Pairwise(new MlpHeadSpec { HiddenSizes = Hidden }))),
            .. from booster in new[] { RankingBooster.FastTree, RankingBooster.LightGbm }
               from grouping in new[] { RankingGroup.Pair, RankingGroup.Prompt }
               select ($"{booster} by {grouping.ToString().ToLowerInvariant()}", (Func<MLContext, IEstimator<ITransformer>>)(ml => ml.Rewards().RankingReward(Ranking(booster, grouping)))),
        ];

        /// <summary>The demo's Bradley–Terry settings (12 epochs at most, patience 2, prompt-grouped early-stopping split).</summary>
        private PairwiseRewardTrainerOptions Pairwise(HeadSpec head) => new()
        {
            ValidationGroupColumnName = nameof(ResponseRow.Prompt),
            Trainer = new PairwiseTrainerOptions { Head = head, Seed = Seed, MaxEpochs = 12, Patience = 2 },
        };

        private RankingRewardTrainerOptions Ranking(RankingBooster booster, RankingGroup group) => new()
        {
            Booster = booster,
            Group = group,
            NumberOfTrees = Trees,
            NumberOfLeaves = Leaves,
            Seed = Seed,
        };
    }

    /// <summary>One response of a pair with its features: the rows every head trains on and scores.</summary>
    private sealed class ResponseRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public string PairId { get; set; } = string.Empty;

        public string Prompt { get; set; } = string.Empty;
    }

    private static void Run(DirectoryInfo directory, (string Description, List<PreferencePair> Pairs) training, ReportWriter report, PairFeaturizer featurizer, Settings settings, CancellationToken cancel)
    {
        var total = Stopwatch.StartNew();
        string PathOf(string name) => Path.Combine(directory.FullName, name + ".jsonl.gz");
        var train = training.Pairs;
        var sets = LengthBaseline.DemoEvaluationSets.Select(name => (Name: name, Pairs: PreferencePairReader.ReadAll(PathOf(name)))).ToList();
        Console.Error.WriteLine($"featurizer: {featurizer.Embedder}, layout {featurizer.Layout} ({featurizer.Dimension} features)");
        var ml = new MLContext(seed: settings.Seed);
        var schema = SchemaDefinition.Create(typeof(ResponseRow));
        schema[nameof(ResponseRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featurizer.Dimension);
        IDataView View(IReadOnlyList<PreferencePair> pairs, string name)
        {
            var features = ProgressDisplay.Run($"embedding {name}", p => featurizer.Featurize(pairs, p, cancel));
            var rows = new List<ResponseRow>(2 * pairs.Count);
            for (int i = 0; i < pairs.Count; i++)
            {
                rows.Add(new ResponseRow { Features = features.Chosen.Row(i).ToArray(), Label = true, PairId = pairs[i].Id, Prompt = pairs[i].Prompt });
                rows.Add(new ResponseRow { Features = features.Rejected.Row(i).ToArray(), Label = false, PairId = pairs[i].Id, Prompt = pairs[i].Prompt });
            }

            return ml.Data.LoadFromEnumerable(rows, schema);
        }

        var trainView = View(train, "the training pairs");
        var setViews = sets.Select(s => View(s.Pairs, s.Name)).ToList();
        int prompts = train.Select(p => p.Prompt).Distinct(StringComparer.Ordinal).Count();

        var evaluator = new PairwiseEvaluator();
        var accuracy = new Dictionary<(string Set, string Model), AccuracySummary>();
        foreach (var (name, pairs) in sets)
        {
            accuracy[(name, LengthBaseline.Name)] = LengthBaseline.Evaluate(evaluator, pairs).Overall;
        }

        var times = new Dictionary<string, TimeSpan>();
        foreach (var (name, create) in settings.Heads)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var model = create(ml).Fit(trainView);
            times[name] = clock.Elapsed;
            for (int s = 0; s < sets.Count; s++)
            {
                float[] scores = [.. model.Transform(setViews[s]).GetColumn<float>("Score")];
                float[] chosen = [.. scores.Where((_, i) => i % 2 == 0)];
                float[] rejected = [.. scores.Where((_, i) => i % 2 == 1)];
                accuracy[(sets[s].Name, name)] = evaluator.Accuracy(chosen, rejected);
            }

            Console.Error.WriteLine($"{name}: trained in {times[name].TotalSeconds:F1} s ({total.Elapsed.TotalSeconds:F0} s so far)");
        }

        string[] models = [LengthBaseline.Name, .. settings.Heads.Select(h => h.Name)];
        var table = ResultTables.Create(["evaluation set", ">pairs", .. models]);
        foreach (var (name, pairs) in sets)
        {
            table.AddPlainRow([name, pairs.Count.ToString("N0", CultureInfo.InvariantCulture), .. models.Select(m => ResultTables.Accuracy(accuracy[(name, m)]))]);
        }

        table.AddPlainRow(["training time", string.Empty, "-", .. settings.Heads.Select(h => $"{times[h.Name].TotalSeconds:F1} s")]);
        string caption = $"Pairwise accuracy [bootstrap 95% CI] of each head, all trained through mlContext.Rewards() on {training.Description} "
            + $"({train.Count:N0} pairs, {prompts:N0} prompts) with one feature column: {featurizer.Embedder}, layout {featurizer.Layout} "
            + $"({featurizer.Dimension} features); seed {settings.Seed}; ranking heads {settings.Trees} trees of at most {settings.Leaves} leaves; "
            + $"{Environment.ProcessorCount} cores.";
        report.Table(Name, caption, table);
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s");
    }
}
