using System.CommandLine;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>evaluate</c>: accuracy, calibration and length bias of any saved reward model (pairwise, ensemble, multi-objective) on preference files.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(required: false);
        var modelDirectory = SharedOptions.ModelDirectoryOverride();
        var store = SharedOptions.Store();
        var data = SharedOptions.DataFiles("Preference files to evaluate on; each gets its own row.");
        var skip = SharedOptions.SkipBadLines();
        var perSource = new Option<bool>("--per-source") { Description = "Also print accuracy per source for each file." };
        var rewardBench = new RewardBenchOptions();
        data.Required = false;
        var command = new Command("evaluate", "Evaluate a saved reward model (pairwise, reward ensemble or multi-objective): pairwise accuracy with a bootstrap 95% interval, log-loss, calibration error, and the correlation of reward with response length.")
        {
            model, modelDirectory, store, data, skip, perSource,
        };
        foreach (var option in rewardBench.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(rewardBench.Scores) is { } scoreFile)
            {
                if (parse.GetValue(model) is not null || parse.GetValue(data) is { Length: > 0 })
                {
                    throw new UsageException("--scores is scored on its own; leave out --model and --data");
                }

                rewardBench.RunOnScoreFile(parse, scoreFile);
                return Task.FromResult(ExitCodes.Success);
            }

            var path = parse.GetValue(model) ?? throw new UsageException("Option '--model' is required (or --scores with --rewardbench/--rewardbench-v2).");
            if (parse.GetValue(data) is not { Length: > 0 })
            {
                throw new UsageException("Option '--data' is required.");
            }

            rewardBench.CheckModelRun(parse);
            string component = ModelArchive.ReadComponent(path.FullName);
            IDisposable? owned = null;
            PairScorer scorePairs;
            if (component == PairwiseRewardModel.ComponentName)
            {
                var (rewardModel, embedderScope) = SharedOptions.LoadModel(path, parse.GetValue(modelDirectory), parse.GetValue(store));
                owned = embedderScope;
                scorePairs = rewardModel.ScorePairs;
            }
            else
            {
                if (parse.GetValue(store) is not null)
                {
                    throw new UsageException($"--store works with pairwise models; {path.Name} holds a '{component}' model");
                }

                var scorer = RewardModel.Load(path.FullName, SharedOptions.Context(parse.GetValue(modelDirectory)));
                scorePairs = (pairs, progress) => ScoreInBlocks(scorer, pairs, progress);
            }

            using var scope = owned;
            var evaluator = new PairwiseEvaluator();
            var rows = new List<(string, EvaluationReport)>();
            foreach (var file in parse.GetValue(data)!)
            {
                cancel.ThrowIfCancellationRequested();
                var pairs = SharedOptions.ReadPairs([file], parse.GetValue(skip));
                var (chosen, rejected) = ProgressDisplay.Run($"scoring {file.Name}", progress => scorePairs(pairs, progress));
                rows.Add((file.Name, evaluator.Evaluate(pairs, chosen, rejected)));
                rewardBench.AddPairs(parse, file.Name, pairs, chosen, rejected);
            }

            ResultTables.Write(ResultTables.Evaluations(rows));
            rewardBench.Finish(parse);
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

    private delegate (float[] Chosen, float[] Rejected) PairScorer(IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)> progress);

    /// <summary>Scores both responses of every pair through any reward model, a block of pairs at a time, reporting progress.</summary>
    private static (float[] Chosen, float[] Rejected) ScoreInBlocks(IRewardScorer scorer, IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)> progress)
    {
        const int Block = 256;
        var chosen = new float[pairs.Count];
        var rejected = new float[pairs.Count];
        for (int start = 0; start < pairs.Count; start += Block)
        {
            var block = Enumerable.Range(start, Math.Min(Block, pairs.Count - start)).Select(i => pairs[i]).ToList();
            var prompts = block.Select(p => p.Prompt).ToList();
            var chosenScores = scorer.Score(prompts, [.. block.Select(p => p.Chosen)]);
            var rejectedScores = scorer.Score(prompts, [.. block.Select(p => p.Rejected)]);
            for (int i = 0; i < block.Count; i++)
            {
                chosen[start + i] = chosenScores[i].Reward;
                rejected[start + i] = rejectedScores[i].Reward;
            }

            progress.Report((start + block.Count, pairs.Count));
        }

        return (chosen, rejected);
    }
}
