using System.CommandLine;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Models;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>evaluate</c>: accuracy, calibration and length bias of a saved model on preference files.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(required: true);
        var modelDirectory = SharedOptions.ModelDirectoryOverride();
        var data = SharedOptions.DataFiles("Preference files to evaluate on; each gets its own row.");
        var skip = SharedOptions.SkipBadLines();
        var perSource = new Option<bool>("--per-source") { Description = "Also print accuracy per source for each file." };
        var command = new Command("evaluate", "Evaluate a saved reward model: pairwise accuracy with a bootstrap 95% interval, log-loss, calibration error, and the correlation of reward with response length.")
        {
            model, modelDirectory, data, skip, perSource,
        };
        command.SetAction((parse, cancel) =>
        {
            var rewardModel = PairwiseRewardModel.Load(parse.GetValue(model)!.FullName, SharedOptions.Context(parse.GetValue(modelDirectory)));
            var evaluator = new PairwiseEvaluator();
            var rows = new List<(string, EvaluationReport)>();
            foreach (var file in parse.GetValue(data)!)
            {
                cancel.ThrowIfCancellationRequested();
                var pairs = SharedOptions.ReadPairs([file], parse.GetValue(skip));
                var (chosen, rejected) = ProgressDisplay.Run($"scoring {file.Name}", progress => rewardModel.ScorePairs(pairs, progress));
                rows.Add((file.Name, evaluator.Evaluate(pairs, chosen, rejected)));
            }

            ResultTables.Write(ResultTables.Evaluations(rows));
            if (parse.GetValue(perSource))
            {
                foreach (var (name, report) in rows)
                {
                    Console.WriteLine();
                    Console.WriteLine(name);
                    ResultTables.Write(ResultTables.PerSource(report));
                }
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
