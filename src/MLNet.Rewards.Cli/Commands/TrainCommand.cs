using System.CommandLine;
using System.Diagnostics;
using MLNet.Rewards.Models;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>train</c>: fit a pairwise reward model on preference files and save it as a model zip.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = SharedOptions.DataFiles("Training preference pairs: JSONL or JSONL.gz files with prompt, chosen, rejected (id, source optional).");
        var output = SharedOptions.OutputFile("Where to write the model zip.");
        var skip = SharedOptions.SkipBadLines();
        var featurizer = new FeaturizerOptions();
        var trainer = new TrainerOptions();
        var command = new Command("train", "Train a Bradley–Terry reward model on preference pairs and save it as a model zip.") { data, output, skip };
        foreach (var option in featurizer.All.Concat(trainer.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var options = trainer.Create(parse);
            using var scope = featurizer.CreateEmbedder(parse);
            var embedder = scope.Embedder;
            var pairs = SharedOptions.ReadPairs(parse.GetValue(data)!, parse.GetValue(skip));
            Console.Error.WriteLine($"read {pairs.Count:N0} pairs; featurizer {embedder}; head {options.Head}");
            var clock = Stopwatch.StartNew();
            var estimator = new PairwiseRewardEstimator(embedder, options, parse.GetValue(featurizer.Layout));
            var epochs = new List<EpochReport>();
            var model = ProgressDisplay.Run("embedding texts", featurization => estimator.Fit(
                pairs,
                observer: new TrainingObserver
                {
                    Featurization = featurization,
                    Epochs = new SynchronousProgress<EpochReport>(e =>
                    {
                        epochs.Add(e);
                        Console.Error.WriteLine($"epoch {e.Epoch}: train loss {e.TrainLoss:F4}, valid loss {ResultTables.Number(e.ValidationLoss, "F4")}, valid acc {ResultTables.Number(e.ValidationAccuracy)} ({e.Elapsed.TotalSeconds:F1} s)");
                    }),
                },
                cancellationToken: cancel));
            var target = parse.GetValue(output)!;
            model.Save(target.FullName);
            ResultTables.Write(ResultTables.Epochs(epochs, model.Info.Training!.BestEpoch));
            Console.WriteLine($"saved {target.FullName} ({model.Info.Training.Pairs:N0} training pairs, {model.Info.Training.ValidationPairs:N0} validation pairs, best epoch {model.Info.Training.BestEpoch}, {clock.Elapsed.TotalSeconds:F1} s)");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
