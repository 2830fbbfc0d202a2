using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Generalist;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// <c>train-generalist</c>: one reward model from every shared training source (AlpacaEval, HH helpful and harmless, PKU-SafeRLHF
/// on both principles, HelpSteer ratings turned into pairs), capped and weighted per source, with response length handled
/// explicitly; then evaluated on the held-out sets beside "the longer response wins", overall and per source.
/// </summary>
internal static class TrainGeneralistCommand
{
    /// <summary>The evaluation sets (alpaca-eval-test subsampled by --eval-cap).</summary>
    private static readonly string[] EvaluationFiles = [SubsampledEvaluation, "hh-harmless-test", "llmbar", "llmbar-processed"];

    private const string DataDirOption = "--data-dir";

    /// <summary>The one evaluation set that --eval-cap subsamples (6,057 long AlpacaEval pairs).</summary>
    private const string SubsampledEvaluation = "alpaca-eval-test";

    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo>(DataDirOption) { Description = "Folder of the shared data files.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared", "data")) };
        var output = SharedOptions.OutputFile("Where to write the model zip.");
        var cap = new Option<int>("--cap") { Description = "Most training pairs per source (chosen by a seeded hash of their ids).", DefaultValueFactory = _ => 1500 };
        var weights = new Option<string[]>("--source-weight")
        {
            Description = "Loss weight of a training source, as source=weight (e.g. --source-weight alpaca-eval=0.5); sources not named weigh 1.",
            AllowMultipleArgumentsPerToken = true,
        };
        var length = new Option<LengthHandling>("--length")
        {
            Description = "Length handling: None, Balance (length-balanced pairs per source) or Offset (a per-source length logit fitted first and added to the margin, so the head learns only what length does not explain).",
            DefaultValueFactory = _ => LengthHandling.Offset,
        };
        var offsetScale = new Option<double>("--length-offset-scale")
        {
            Description = "With --length Offset: the share κ of each source's fitted length logit put in the margin (1 = all of it; the default 0.25 leaves the head three quarters of each source's length preference to learn; see docs/generalist.md).",
            DefaultValueFactory = _ => 0.25,
        };
        var attribute = new Option<string>("--helpsteer-attribute") { Description = "The HelpSteer rating that orders two responses to one prompt.", DefaultValueFactory = _ => GeneralistSources.DefaultRatingAttribute };
        var gap = new Option<float>("--helpsteer-gap") { Description = "Least rating difference that makes a HelpSteer pair.", DefaultValueFactory = _ => GeneralistSources.DefaultRatingGap };
        var center = new Option<float>("--center-rewards-coefficient") { Description = "TRL's center_rewards_coefficient: adds c·(r_c + r_r)² to each pair's loss (0 = off).", DefaultValueFactory = _ => 0f };
        var evalCap = new Option<int>("--eval-cap") { Description = "Most pairs of alpaca-eval-test evaluated (a seeded fixed subsample); the other sets are evaluated whole.", DefaultValueFactory = _ => 1000 };
        var noEvaluation = new Option<bool>("--no-evaluation") { Description = "Train and save only." };
        var featurizer = new FeaturizerOptions();
        featurizer.Layout.DefaultValueFactory = _ => FeatureLayout.Response;
        var trainer = new TrainerOptions();
        var command = new Command("train-generalist", "Train one reward model on every shared training source (per-source caps and weights, explicit length handling) and evaluate it on alpaca-eval-test, hh-harmless-test, llmbar and llmbar-processed beside 'the longer response wins'.")
        {
            dataDir, output, cap, weights, length, offsetScale, attribute, gap, center, evalCap, noEvaluation,
        };
        foreach (var option in featurizer.All.Concat(trainer.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var clock = Stopwatch.StartNew();
            string folder = parse.GetValue(dataDir)!.FullName;
            var options = trainer.Create(parse) with { CenterRewardsCoefficient = parse.GetValue(center) };
            options.Validate();
            long seed = options.Seed;
            var sourceWeights = ParseWeights(parse.GetValue(weights) ?? []);

            var all = GeneralistSources.ReadAll(folder, DataDirOption, parse.GetValue(attribute)!, parse.GetValue(gap));
            var train = GeneralistPairs.CapPerSource(all, parse.GetValue(cap), seed);
            var handling = parse.GetValue(length);

            using var scope = featurizer.CreateEmbedder(parse);
            var embedder = scope.Embedder;
            var chat = (scope.Cached?.Inner ?? embedder) as ChatHiddenStateEmbedder;
            var policy = (embedder.Spec as ChatHiddenStateFeaturizerSpec)?.LongInputs;
            train = DropLongInputs(train, chat, policy, "training");
            if (handling == LengthHandling.Balance)
            {
                train = GeneralistPairs.BalanceLength(train, seed);
            }
            else if (handling == LengthHandling.Offset)
            {
                double scale = parse.GetValue(offsetScale);
                if (!(scale >= 0) || double.IsInfinity(scale))
                {
                    throw new UsageException($"--length-offset-scale must be a finite non-negative number, got {scale}");
                }

                var coefficients = GeneralistPairs.FitLengthCoefficients(train).ToDictionary(c => c.Key, c => c.Value * scale, StringComparer.Ordinal);
                Console.Error.WriteLine($"length logit per source in the margin (κ = {scale} times a of σ(a·Δlog length)): " + string.Join(", ", coefficients.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value.ToString("F3", CultureInfo.InvariantCulture)}")));
                train = GeneralistPairs.WithLengthOffset(train, coefficients);
            }

            Console.Error.WriteLine($"training on {train.Count:N0} pairs ({string.Join(", ", train.GroupBy(p => p.Source).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}); length {handling}; featurizer {embedder}; head {options.Head}");
            var estimator = new PairwiseRewardEstimator(embedder, options, parse.GetValue(featurizer.Layout), sourceWeights);
            var model = ProgressDisplay.Run("embedding training texts", progress => estimator.Fit(
                train,
                observer: new TrainingObserver
                {
                    Featurization = progress,
                    Epochs = new SynchronousProgress<EpochReport>(e => Console.Error.WriteLine($"epoch {e.Epoch}: train loss {e.TrainLoss:F4}, valid loss {ResultTables.Number(e.ValidationLoss, "F4")}, valid acc {ResultTables.Number(e.ValidationAccuracy)} ({e.Elapsed.TotalSeconds:F1} s)")),
                },
                cancellationToken: cancel));
            var target = parse.GetValue(output)!;
            model.Save(target.FullName);
            var rewards = model.Info.Rewards!;
            Console.WriteLine($"saved {target.FullName}: {model.Info.Training!.Pairs:N0} training pairs, {model.Info.Training.ValidationPairs:N0} validation pairs, best epoch {model.Info.Training.BestEpoch}; rewards on the training responses: mean {rewards.Mean:F3}, std {rewards.StandardDeviation:F3} (saved in the zip); {clock.Elapsed.TotalSeconds:F1} s");

            if (!parse.GetValue(noEvaluation))
            {
                Evaluate(model, folder, parse.GetValue(evalCap), seed, chat, policy);
            }

            if (chat is not null)
            {
                var done = chat.Statistics;
                Console.WriteLine($"chat model: {done.Texts:N0} conversations, {done.Tokens:N0} tokens in {done.ModelTime.TotalSeconds:F1} s of model runs ({done.TokensPerSecond:F0} tokens/s), {done.Truncated:N0} over the token limit");
            }

            Console.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void Evaluate(PairwiseRewardModel model, string folder, int evalCap, long seed, ChatHiddenStateEmbedder? chat, LongInputPolicy? policy)
    {
        var evaluator = new PairwiseEvaluator();
        var table = ResultTables.Create("set", "source", ">pairs", LengthBaseline.Name, "model", ">ρ(reward, length)", ">length-stratified");
        foreach (string name in EvaluationFiles)
        {
            var pairs = PreferencePairReader.ReadAll(GeneralistSources.DataFile(folder, name, DataDirOption));
            if (name == SubsampledEvaluation && pairs.Count > evalCap)
            {
                pairs = GeneralistPairs.CapPerSource(pairs, evalCap, seed);
            }

            pairs = DropLongInputs(pairs, chat, policy, name);
            var clock = Stopwatch.StartNew();
            var (chosen, rejected) = ProgressDisplay.Run($"scoring {name}", progress => model.ScorePairs(pairs, progress));
            var report = evaluator.Evaluate(pairs, chosen, rejected);
            var longer = LengthBaseline.Evaluate(evaluator, pairs);
            Console.Error.WriteLine($"{name}: {pairs.Count:N0} pairs scored in {clock.Elapsed.TotalSeconds:F1} s");
            table.AddPlainRow([name, "all", pairs.Count.ToString("N0", CultureInfo.InvariantCulture), ResultTables.Accuracy(longer.Overall), ResultTables.Accuracy(report.Overall), ResultTables.Number(report.LengthSpearman), ResultTables.Number(report.ByLength.MeanAccuracy)]);
            if (report.PerSource.Count > 1)
            {
                foreach (var (source, summary) in report.PerSource)
                {
                    table.AddPlainRow([name, source, summary.Count.ToString("N0", CultureInfo.InvariantCulture), ResultTables.Accuracy(longer.PerSource[source]), ResultTables.Accuracy(summary), string.Empty, string.Empty]);
                }
            }
        }

        ResultTables.Write(table);
    }

    /// <summary>Under the Drop policy, leaves out (and reports) the pairs whose conversations do not fit the chat featurizer's limit.</summary>
    private static List<PreferencePair> DropLongInputs(List<PreferencePair> pairs, ChatHiddenStateEmbedder? chat, LongInputPolicy? policy, string what)
    {
        if (chat is null || policy != LongInputPolicy.Drop)
        {
            return pairs;
        }

        var kept = pairs.Where(p => chat.Fits(p.Prompt, p.Chosen) && chat.Fits(p.Prompt, p.Rejected)).ToList();
        Console.Error.WriteLine($"{what}: dropped {pairs.Count - kept.Count:N0} of {pairs.Count:N0} pairs longer than the featurizer's token limit (--long-inputs Drop)");
        return kept;
    }

    private static Dictionary<string, float> ParseWeights(string[] values)
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int equals = value.LastIndexOf('=');
            if (equals <= 0 || !float.TryParse(value.AsSpan(equals + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out float weight) || !(weight >= 0) || float.IsInfinity(weight))
            {
                throw new UsageException($"--source-weight '{value}': expected source=weight with a finite non-negative weight, e.g. alpaca-eval=0.5");
            }

            weights[value[..equals]] = weight;
        }

        return weights;
    }
}
