using System.CommandLine;
using System.Globalization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Guidance;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>genarm-train</c>: trains one GenARM autoregressive reward head per principle on the local chat model.</summary>
internal static class GenArmTrainCommand
{
    private static readonly ArmTrainerOptions Defaults = new();
    private static readonly ArmFeatureOptions FeatureDefaults = new();

    public static Command Create()
    {
        var data = SharedOptions.DataFiles("Preference pairs, one file per principle (e.g. pku-saferlhf-harmless.jsonl.gz pku-saferlhf-helpful.jsonl.gz).");
        var principles = new Option<string[]>("--principle") { Description = "Principle name of each --data file, in order (e.g. harmless helpful).", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var outputs = SharedOptions.Output<FileInfo[]>("Model zip to write for each principle, in order.");
        var llm = SharedOptions.Llm();
        var pairs = new Option<int>("--pairs") { Description = "Use at most this many pairs per file (the first ones; 0 = all).", DefaultValueFactory = _ => 0 };
        var validation = new Option<double>("--validation-fraction") { Description = "Share of prompts held out to measure pairwise accuracy.", DefaultValueFactory = _ => 0.2 };
        var rank = new Option<int>("--rank") { Description = "Rank of the head's correction.", DefaultValueFactory = _ => Defaults.Rank };
        var betaR = new Option<float>("--beta-r") { Description = "beta_r of the trajectory-level Bradley-Terry loss.", DefaultValueFactory = _ => Defaults.BetaR };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => Defaults.Epochs };
        var learningRate = new Option<float>("--learning-rate") { Description = "AdamW learning rate.", DefaultValueFactory = _ => Defaults.LearningRate };
        var weightDecay = new Option<float>("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => Defaults.WeightDecay };
        var batchSize = new Option<int>("--batch-size") { Description = "Pairs per gradient step.", DefaultValueFactory = _ => Defaults.BatchSize };
        var topK = new Option<int>("--top-k") { Description = "Base-model candidates per position that the head re-weights.", DefaultValueFactory = _ => FeatureDefaults.TopK };
        var maxPrompt = new Option<int>("--max-prompt-tokens") { Description = "Most prompt tokens (earliest turns dropped first).", DefaultValueFactory = _ => FeatureDefaults.MaxPromptTokens };
        var maxResponse = new Option<int>("--max-response-tokens") { Description = "Most response tokens used.", DefaultValueFactory = _ => FeatureDefaults.MaxResponseTokens };
        var seed = SharedOptions.Seed<long>("Seed of initialisation, split and order.");
        var threads = SharedOptions.OnnxThreads();
        var store = OutputTargets.Written(new Option<FileInfo?>("--features") { Description = "Feature file: base-model features found there are reused (same settings and model), and all computed ones are written back." });
        var command = new Command("genarm-train", "Train GenARM autoregressive reward heads (one per principle) on the local chat model's hidden states, for guided generation with 'generate --arm'.")
        {
            data, principles, outputs, llm, pairs, validation, rank, betaR, epochs, learningRate, weightDecay, batchSize, topK, maxPrompt, maxResponse, seed, threads, store,
        };
        command.SetAction((parse, cancel) =>
        {
            var files = parse.GetValue(data)!;
            var names = parse.GetValue(principles)!;
            var targets = parse.GetValue(outputs)!;
            if (names.Length != files.Length || targets.Length != files.Length)
            {
                throw new UsageException($"give one --principle and one --output per --data file ({files.Length} files, {names.Length} principles, {targets.Length} outputs)");
            }

            var trainer = new ArmTrainerOptions
            {
                Rank = parse.GetValue(rank),
                BetaR = parse.GetValue(betaR),
                Epochs = parse.GetValue(epochs),
                LearningRate = parse.GetValue(learningRate),
                WeightDecay = parse.GetValue(weightDecay),
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
            };
            trainer.Validate();
            var features = new ArmFeatureOptions { TopK = parse.GetValue(topK), MaxPromptTokens = parse.GetValue(maxPrompt), MaxResponseTokens = parse.GetValue(maxResponse) };
            features.Validate();
            double validationFraction = parse.GetValue(validation);
            if (validationFraction is < 0 or >= 1)
            {
                throw new UsageException("--validation-fraction must be in [0, 1)");
            }

            using var model = CausalLanguageModel.Load(parse.GetValue(llm)!.FullName, new CausalLanguageModelOptions { Threads = parse.GetValue(threads) });
            var extractor = new ArmFeatureExtractor(model, features);
            var storeFile = parse.GetValue(store);
            if (storeFile is { Exists: true })
            {
                int reused = ArmFeatureStore.Load(storeFile.FullName, extractor);
                Console.Error.WriteLine(reused > 0 ? $"reusing the base-model features of {reused} texts from {storeFile.Name}" : $"{storeFile.Name} was made with other settings or another model: recomputing");
            }

            int limit = parse.GetValue(pairs);
            for (int i = 0; i < files.Length; i++)
            {
                var all = SharedOptions.ReadPairs([files[i]], skipBadLines: false);
                var used = limit > 0 ? all.Take(limit).ToList() : all;
                var (train, test) = validationFraction > 0 ? PromptGroupedSplit.TrainTest(used, validationFraction, (int)trainer.Seed) : (used, []);
                var trainFeatures = ProgressDisplay.Run($"{names[i]}: base-model features", p => extractor.Extract(train, p, cancel));
                var testFeatures = ProgressDisplay.Run($"{names[i]}: validation features", p => extractor.Extract(test, p, cancel));
                var reports = new List<ArmEpochReport>();
                var head = ArmTrainer.Fit(names[i], trainFeatures, testFeatures, model.Shape.VocabularySize, trainer, new SynchronousProgress<ArmEpochReport>(reports.Add), cancel);
                head.Save(targets[i].FullName);
                var table = ResultTables.Create(">epoch", ">train loss", ">validation accuracy");
                foreach (var report in reports)
                {
                    table.AddPlainRow([report.Epoch.ToString(CultureInfo.InvariantCulture), ResultTables.Number(report.TrainLoss, "F4"), ResultTables.Number(report.ValidationAccuracy)]);
                }

                Console.WriteLine($"{names[i]} ({files[i].Name}: {train.Count} training pairs, {test.Count} validation pairs; base model's own accuracy {ResultTables.Number(head.Info.Metrics.GetValueOrDefault("validation.accuracy.base", double.NaN))})");
                ResultTables.Write(table);
                Console.WriteLine($"kept epoch {head.Info.Metrics["bestEpoch"]:F0}; saved {targets[i].FullName}");
            }

            if (storeFile is not null)
            {
                ArmFeatureStore.Save(storeFile.FullName, extractor);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
