using System.CommandLine;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>Options shared by several commands, each defined once.</summary>
internal static class SharedOptions
{
    public static Option<FileInfo[]> DataFiles(string description) => new("--data")
    {
        Description = description,
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<bool> SkipBadLines() => new("--skip-bad-lines")
    {
        Description = "Skip malformed lines in data files (counted and reported) instead of stopping at the first one.",
    };

    public static Option<FileInfo> Model(bool required) => new("--model")
    {
        Description = "A model zip written by 'train'.",
        Required = required,
    };

    /// <summary>Reads every data file, reporting skipped lines.</summary>
    public static List<PreferencePair> ReadPairs(IEnumerable<FileInfo> files, bool skipBadLines)
    {
        var pairs = new List<PreferencePair>();
        foreach (var file in files)
        {
            var stats = new ReadStatistics();
            pairs.AddRange(PreferencePairReader.Read(file.FullName, new ReadOptions { SkipBadLines = skipBadLines }, stats));
            if (stats.Skipped > 0)
            {
                Console.Error.WriteLine($"{file.Name}: skipped {stats.Skipped} malformed line(s), e.g. line {stats.SkippedExamples[0].Line}: {stats.SkippedExamples[0].Problem}");
            }
        }

        return pairs;
    }
}

/// <summary>The featurizer options: which featurizer and its settings.</summary>
internal sealed class FeaturizerOptions
{
    public Option<string> Kind { get; } = new("--featurizer")
    {
        Description = "Text featurizer: 'hashing' (hashed word and character n-grams; needs no model).",
        DefaultValueFactory = _ => HashingFeaturizerSpec.KindName,
    };

    public Option<int> Buckets { get; } = new("--buckets")
    {
        Description = "Dimension of the hashing featurizer.",
        DefaultValueFactory = _ => 1024,
    };

    public Option<FeatureLayout> Layout { get; } = new("--layout")
    {
        Description = "Response features: 'Response' alone, or 'ResponseAndPromptProduct' (response plus its element-wise product with the prompt).",
        DefaultValueFactory = _ => FeatureLayout.ResponseAndPromptProduct,
    };

    public IEnumerable<Option> All => [Kind, Buckets, Layout];

    public ITextEmbedder CreateEmbedder(ParseResult parse)
    {
        string kind = parse.GetValue(Kind)!;
        return kind switch
        {
            HashingFeaturizerSpec.KindName => new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = parse.GetValue(Buckets) }),
            _ => throw new UsageException($"unknown featurizer '{kind}' (expected: {HashingFeaturizerSpec.KindName})"),
        };
    }
}

/// <summary>The trainer options, mapped onto <see cref="PairwiseTrainerOptions"/>.</summary>
internal sealed class TrainerOptions
{
    private static readonly PairwiseTrainerOptions Defaults = new();

    public Option<string> Head { get; } = new("--head")
    {
        Description = "Reward head: 'linear', 'mlp' or 'prototype' (Proto-RM: learned prototypes, initialised by k-means++).",
        DefaultValueFactory = _ => MlpHeadSpec.KindName,
    };

    public Option<int[]> Hidden { get; } = new("--hidden")
    {
        Description = "Hidden layer sizes of the MLP head, e.g. --hidden 1024 512 (the reference architecture).",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [1024, 512],
    };

    public Option<int> Prototypes { get; } = new("--prototypes") { Description = "Number of prototypes of the prototype head.", DefaultValueFactory = _ => new PrototypeHeadSpec().Prototypes };

    public Option<int> Epochs { get; } = new("--epochs") { Description = "Most training epochs.", DefaultValueFactory = _ => Defaults.MaxEpochs };

    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Pairs per gradient step.", DefaultValueFactory = _ => Defaults.BatchSize };

    public Option<float> LearningRate { get; } = new("--learning-rate") { Description = "AdamW learning rate.", DefaultValueFactory = _ => Defaults.LearningRate };

    public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => Defaults.WeightDecay };

    public Option<float> LabelSmoothing { get; } = new("--label-smoothing") { Description = "Label smoothing in [0, 0.5).", DefaultValueFactory = _ => Defaults.LabelSmoothing };

    public Option<double> ValidationFraction { get; } = new("--validation-fraction") { Description = "Share of prompts held out for early stopping (0 = none).", DefaultValueFactory = _ => Defaults.ValidationFraction };

    public Option<int> Patience { get; } = new("--patience") { Description = "Epochs without validation improvement before stopping.", DefaultValueFactory = _ => Defaults.Patience };

    public Option<long> Seed { get; } = new("--seed") { Description = "Random seed: same seed and data give the same model.", DefaultValueFactory = _ => Defaults.Seed };

    public Option<int> Threads { get; } = new("--threads") { Description = "Threads per batch (0 = all cores).", DefaultValueFactory = _ => 0 };

    public IEnumerable<Option> All => [Head, Hidden, Prototypes, Epochs, BatchSize, LearningRate, WeightDecay, LabelSmoothing, ValidationFraction, Patience, Seed, Threads];

    public PairwiseTrainerOptions Create(ParseResult parse)
    {
        string head = parse.GetValue(Head)!;
        HeadSpec spec = head switch
        {
            LinearHeadSpec.KindName => new LinearHeadSpec(),
            MlpHeadSpec.KindName => new MlpHeadSpec { HiddenSizes = parse.GetValue(Hidden)! },
            PrototypeHeadSpec.KindName => new PrototypeHeadSpec { Prototypes = parse.GetValue(Prototypes) },
            _ => throw new UsageException($"unknown head '{head}' (expected: linear, mlp, prototype)"),
        };
        var options = new PairwiseTrainerOptions
        {
            Head = spec,
            MaxEpochs = parse.GetValue(Epochs),
            BatchSize = parse.GetValue(BatchSize),
            LearningRate = parse.GetValue(LearningRate),
            WeightDecay = parse.GetValue(WeightDecay),
            LabelSmoothing = parse.GetValue(LabelSmoothing),
            ValidationFraction = parse.GetValue(ValidationFraction),
            Patience = parse.GetValue(Patience),
            Seed = parse.GetValue(Seed),
            MaxDegreeOfParallelism = parse.GetValue(Threads),
        };
        options.Validate();
        return options;
    }
}
