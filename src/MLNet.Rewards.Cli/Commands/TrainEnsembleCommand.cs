using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>train-ensemble</c>: fit a reward ensemble (any head) on preference pairs, members in parallel, and save it as one model zip.</summary>
internal static class TrainEnsembleCommand
{
    public static Command Create()
    {
        var data = SharedOptions.DataFiles("Training preference pairs: JSONL or JSONL.gz files with prompt, chosen, rejected.");
        var output = SharedOptions.OutputFile("Where to write the ensemble model zip.");
        var members = new Option<int>("--members") { Description = "Ensemble members.", DefaultValueFactory = _ => 5 };
        var resampling = new Option<EnsembleResampling>("--resampling") { Description = "Bootstrap (each member on a resample) or SeedsOnly (all pairs, different seeds).", DefaultValueFactory = _ => EnsembleResampling.Bootstrap };
        var aggregation = new Option<EnsembleAggregation>("--aggregation") { Description = "How the saved model combines members: Mean, Min, LowerConfidenceBound or Member.", DefaultValueFactory = _ => EnsembleAggregation.Mean };
        var deviations = new Option<double>("--lcb-k") { Description = "k of mean − k·std (LowerConfidenceBound).", DefaultValueFactory = _ => 1.0 };
        var member = new Option<int>("--member") { Description = "The member used by the Member aggregation.", DefaultValueFactory = _ => 0 };
        var evaluate = new Option<FileInfo[]>("--evaluate") { Description = "Preference files to evaluate the saved model on.", AllowMultipleArgumentsPerToken = true };
        var skip = SharedOptions.SkipBadLines();
        var featurizer = new FeaturizerOptions();
        var trainer = new TrainerOptions();
        var command = new Command("train-ensemble", "Train a reward ensemble (members on bootstrap resamples or different seeds, in parallel) and save it as one model zip; scores come with the members' standard deviation.")
        {
            data, output, members, resampling, aggregation, deviations, member, evaluate, skip,
        };
        foreach (var option in featurizer.All.Concat(trainer.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var options = new EnsembleTrainerOptions { Trainer = trainer.Create(parse), Members = parse.GetValue(members), Resampling = parse.GetValue(resampling) };
            var aggregator = new EnsembleAggregator { Aggregation = parse.GetValue(aggregation), Deviations = parse.GetValue(deviations), MemberIndex = parse.GetValue(member) };
            aggregator.Validate(options.Members);
            using var scope = featurizer.CreateEmbedder(parse);
            var pairFeaturizer = new PairFeaturizer(scope.Embedder, parse.GetValue(featurizer.Layout));
            var pairs = SharedOptions.ReadPairs(parse.GetValue(data)!, parse.GetValue(skip));
            Console.Error.WriteLine($"read {pairs.Count:N0} pairs; featurizer {pairFeaturizer.Embedder}; {options.Members} x {options.Trainer.Head}");
            var clock = Stopwatch.StartNew();
            var train = ProgressDisplay.Run("embedding texts", p => pairFeaturizer.Featurize(pairs, p, cancel));
            var result = new EnsembleTrainer(options).Fit(train, progress: new SynchronousProgress<int>(m => Console.Error.WriteLine($"member {m} trained ({clock.Elapsed.TotalSeconds:F1} s)")), cancellationToken: cancel);
            var hyperparameters = JsonSerializer.SerializeToNode(options, ModelArchive.JsonOptions)!.AsObject();
            hyperparameters["dataHash"] = PreferenceDataHash.Of(pairs);
            var model = new EnsembleRewardModel(pairFeaturizer.Embedder, pairFeaturizer.Layout, result.Ensemble, aggregator, new ModelInfo { Hyperparameters = hyperparameters });
            var target = parse.GetValue(output)!;
            model.Save(target.FullName);
            Console.WriteLine($"saved {target.FullName}: {options.Members} members, best epochs {string.Join(", ", result.Members.Select(m => m.BestEpoch))}, {clock.Elapsed.TotalSeconds:F1} s");

            var files = parse.GetValue(evaluate) ?? [];
            if (files.Length > 0)
            {
                var evaluator = new PairwiseEvaluator();
                var table = ResultTables.Create("set", ">pairs", $"accuracy ({aggregator}) [95% CI]", ">mean std of rewards");
                foreach (var file in files)
                {
                    var evalPairs = SharedOptions.ReadPairs([file], parse.GetValue(skip));
                    var (chosen, rejected) = model.ScorePairs(evalPairs);
                    var report = evaluator.Evaluate(evalPairs, chosen.Rewards, rejected.Rewards);
                    double meanStd = chosen.StdDevs.Concat(rejected.StdDevs).Average(s => (double)s);
                    table.AddPlainRow([file.Name, evalPairs.Count.ToString(CultureInfo.InvariantCulture), ResultTables.Accuracy(report.Overall), ResultTables.Number(meanStd)]);
                }

                ResultTables.Write(table);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
