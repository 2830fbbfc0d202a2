using System.CommandLine;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Storage;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>Options shared by several commands, each defined once.</summary>
internal static class SharedOptions
{
    /// <summary>The chat model folder option, of generate, genarm-train and the generation experiments.</summary>
    public static Option<DirectoryInfo> Llm() => new("--llm")
    {
        Description = "Chat model folder (model.onnx with KV cache and hidden_states, tokenizer.json, tokenizer_config.json, config.json).",
        DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared", "models", "SmolLM2-135M-Instruct-q4")),
    };

    /// <summary>
    /// The <c>--seed</c> option of every command that draws random numbers: what it seeds is the command's
    /// <paramref name="description"/>; <typeparamref name="T"/> is the seed type the command passes on (<c>long</c>
    /// for this library, <c>int</c> for ML.NET's).
    /// </summary>
    public static Option<T> Seed<T>(string description, T defaultValue = default!) => new("--seed")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The <c>--hidden</c> option: hidden layer sizes of MLP heads, several after one <c>--hidden</c>.</summary>
    public static Option<int[]> Hidden(string description, params int[] defaultSizes) => new("--hidden")
    {
        Description = description,
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [.. defaultSizes],
    };

    /// <summary>The <c>--threads</c> option; what the threads run is the command's <paramref name="description"/>.</summary>
    public static Option<int> Threads(string description, int defaultValue = 0) => new("--threads")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>The ONNX Runtime thread-count option.</summary>
    public static Option<int> OnnxThreads() => Threads("ONNX Runtime threads (0 = one per core).");

    /// <summary>The chat-model likelihood's token limits (likelihood-model, likelihood-reward), defaulting to <see cref="LikelihoodRewardOptions"/>'s.</summary>
    public static (Option<int> Prompt, Option<int> Response) LikelihoodTokenLimits()
    {
        var defaults = new LikelihoodRewardOptions();
        return (
            new Option<int>("--max-prompt-tokens") { Description = "Most prompt tokens (earliest turns dropped first).", DefaultValueFactory = _ => defaults.MaxPromptTokens },
            new Option<int>("--max-response-tokens") { Description = "Most response tokens scored (its end-of-turn token included).", DefaultValueFactory = _ => defaults.MaxResponseTokens });
    }

    /// <summary>
    /// The <c>--output</c> option: a path the command writes, checked by <see cref="OutputTargets"/>. Required unless
    /// <paramref name="defaultValue"/> is given; an array type takes one or more paths.
    /// </summary>
    public static Option<T> Output<T>(string description, Func<T>? defaultValue = null, string? alias = null)
    {
        var option = alias is null ? new Option<T>("--output") : new Option<T>("--output", alias);
        option.Description = description;
        if (defaultValue is null)
        {
            option.Required = true;
        }
        else
        {
            option.DefaultValueFactory = _ => defaultValue();
        }

        if (typeof(T).IsArray)
        {
            option.AllowMultipleArgumentsPerToken = true;
            option.Arity = ArgumentArity.OneOrMore;
        }

        return OutputTargets.Written(option);
    }

    public static Option<FileInfo[]> DataFiles(string description) => new("--data")
    {
        Description = description,
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>The required <c>--output</c> (<c>-o</c>) model zip of a training command, checked by <see cref="OutputTargets"/>.</summary>
    public static Option<FileInfo> OutputFile(string description) => Output<FileInfo>(description, alias: "-o");

    public static Option<bool> SkipBadLines() => new("--skip-bad-lines")
    {
        Description = "Skip malformed lines in data files (counted and reported) instead of stopping at the first one.",
    };

    public static Option<FileInfo> Model(bool required) => new("--model")
    {
        Description = "A model zip written by 'train'.",
        Required = required,
    };

    public static Option<DirectoryInfo> ModelDirectoryOverride() => new("--model-dir")
    {
        Description = "For models with the ONNX sentence encoder: the encoder's model folder, when it is not where the model was trained (the ONNX file must be the same one; its SHA-256 is checked).",
    };

    public static Option<FileInfo> Store() => OutputTargets.Written(new Option<FileInfo>("--store")
    {
        Description = "SQLite embedding store: text vectors found there are reused, missing ones are computed and added.",
    });

    /// <summary>Where a loaded model's featurizer finds its files.</summary>
    public static FeaturizerContext Context(DirectoryInfo? modelDirectory) => modelDirectory is null ? FeaturizerContext.Default : new FeaturizerContext { ModelDirectory = modelDirectory.FullName };

    /// <summary>
    /// Loads a model zip; its featurizer finds model files in <paramref name="modelDirectory"/> when given, and goes
    /// through the embedding store at <paramref name="store"/> when given. Dispose the scope when done.
    /// </summary>
    public static (PairwiseRewardModel Model, EmbedderScope Scope) LoadModel(FileInfo path, DirectoryInfo? modelDirectory, FileInfo? store)
    {
        var loaded = PairwiseRewardModel.Load(path.FullName, Context(modelDirectory));
        var scope = EmbedderScope.WithStore(loaded.Embedder, store, new EmbeddingStoreOptions());
        return (store is null ? loaded : new PairwiseRewardModel(scope.Embedder, loaded.Layout, loaded.Head, loaded.Info), scope);
    }

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

            if (stats.Read == 0)
            {
                // A file with no pairs is never what was meant: training would stop on an empty set, evaluation print a row of "-".
                throw new DataFormatException(file.FullName, 0, stats.Skipped > 0
                    ? $"no preference pairs: all {stats.Skipped} non-blank line(s) were malformed and skipped"
                    : "no preference pairs: the file is empty (expected JSONL lines with prompt, chosen, rejected)");
            }
        }

        return pairs;
    }
}

/// <summary>The featurizer options: which featurizer, its settings, and an optional embedding store.</summary>
internal sealed class FeaturizerOptions
{
    /// <summary>The model folder used when --model-dir is not given, relative to the current directory.</summary>
    public const string DefaultModelDirectory = "../shared/models/all-MiniLM-L6-v2";

    /// <summary>The chat model folder used by --featurizer smollm2 when --model-dir is not given.</summary>
    public const string DefaultChatModelDirectory = "../shared/models/SmolLM2-135M-Instruct-q4";

    /// <summary>The --featurizer value that selects the ONNX sentence encoder.</summary>
    public const string MiniLm = "minilm";

    /// <summary>The --featurizer value that selects SmolLM2's hidden states over the rendered conversation.</summary>
    public const string SmolLm2 = "smollm2";

    public Option<string> Kind { get; } = new("--featurizer")
    {
        Description = "Text featurizer: 'hashing' (hashed word and character n-grams; needs no model), 'minilm' (all-MiniLM-L6-v2 sentence embeddings on ONNX Runtime, from --model-dir) or 'smollm2' (SmolLM2-135M-Instruct's final hidden states over prompt and response rendered with its chat template, prefill only); or hashing and minilm joined by '+' (e.g. hashing+minilm: both vectors side by side, each part with its own options).",
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

    public Option<DirectoryInfo> ModelDirectory { get; } = new("--model-dir")
    {
        Description = $"Model folder: the sentence encoder (ONNX file, vocab.txt, pooling config) for --featurizer minilm, default {DefaultModelDirectory}; the chat model for --featurizer smollm2, default {DefaultChatModelDirectory}.",
    };

    public Option<ChatStatePooling> Pooling { get; } = new("--pooling")
    {
        Description = "For --featurizer smollm2: LastToken (the end-of-turn token's state), Mean (over every token) or LastTokenAndMean (both, concatenated).",
        DefaultValueFactory = _ => ChatStatePooling.LastToken,
    };

    public Option<int> MaxTokens { get; } = new("--max-tokens")
    {
        Description = "For --featurizer smollm2: most tokens of one rendered conversation; longer ones follow --long-inputs.",
        DefaultValueFactory = _ => 512,
    };

    public Option<LongInputPolicy> LongInputs { get; } = new("--long-inputs")
    {
        Description = "For --featurizer smollm2: TruncateLeft (keep the end), TruncateRight (keep the start) or Drop (pairs that do not fit are left out, counted and reported).",
        DefaultValueFactory = _ => LongInputPolicy.TruncateLeft,
    };

    public Option<bool> Int8 { get; } = new("--int8")
    {
        Description = "Use the folder's int8-weight encoder (model-int8.onnx): about twice as fast, slightly different vectors.",
    };

    public Option<FileInfo> Store { get; } = OutputTargets.Written(new Option<FileInfo>("--store")
    {
        Description = "SQLite embedding store: vectors found there are reused, missing ones are computed and added (see 'embed').",
    });

    public Option<StoredPrecision> StorePrecision { get; } = new("--store-precision")
    {
        Description = "How new vectors are written to --store: Float32 (exact) or Float16 (half the size).",
        DefaultValueFactory = _ => StoredPrecision.Float32,
    };

    public IEnumerable<Option> All => [Kind, Buckets, Layout, ModelDirectory, Int8, Pooling, MaxTokens, LongInputs, Store, StorePrecision];

    /// <summary>The --featurizer values, as the usage message lists them.</summary>
    private static readonly string[] KindNames = [HashingFeaturizerSpec.KindName, MiniLm, SmolLm2];

    /// <summary>The embedder the options describe, wrapped in the store when one is given; dispose the scope when done.</summary>
    public EmbedderScope CreateEmbedder(ParseResult parse)
    {
        string kind = parse.GetValue(Kind)!;
        string[] names = kind.Split('+', StringSplitOptions.TrimEntries);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            string canonical = Canonical(name)
                ?? throw new UsageException($"unknown featurizer '{name}'{(names.Length > 1 ? $" in '{kind}'" : string.Empty)} (expected: {string.Join(", ", KindNames)}, or several joined by '+', e.g. hashing+minilm)");
            if (!seen.Add(canonical))
            {
                throw new UsageException($"--featurizer {kind} names {canonical} twice (each part at most once; its options, e.g. --buckets, apply to it)");
            }

            if (names.Length > 1 && canonical == SmolLm2)
            {
                throw new UsageException($"--featurizer {kind}: {SmolLm2} cannot be a part of a concatenation (it embeds prompt and response together, the other parts each text alone)");
            }
        }

        ITextEmbedder embedder;
        if (names.Length == 1)
        {
            embedder = CreatePart(Canonical(names[0])!, parse);
        }
        else
        {
            var parts = new List<ITextEmbedder>();
            try
            {
                foreach (string name in names)
                {
                    parts.Add(CreatePart(Canonical(name)!, parse));
                }
            }
            catch
            {
                parts.ForEach(p => (p as IDisposable)?.Dispose());
                throw;
            }

            embedder = new ConcatenatedTextEmbedder(parts);
        }

        return EmbedderScope.WithStore(embedder, parse.GetValue(Store), new EmbeddingStoreOptions { Precision = parse.GetValue(StorePrecision) });
    }

    /// <summary>The featurizer a --featurizer part names (its manifest kind is accepted too), or null.</summary>
    private static string? Canonical(string name) => name switch
    {
        HashingFeaturizerSpec.KindName => HashingFeaturizerSpec.KindName,
        MiniLm or OnnxSentenceFeaturizerSpec.KindName => MiniLm,
        SmolLm2 or ChatHiddenStateFeaturizerSpec.KindName => SmolLm2,
        _ => null,
    };

    private ITextEmbedder CreatePart(string kind, ParseResult parse) => kind switch
    {
        HashingFeaturizerSpec.KindName => new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = parse.GetValue(Buckets) }),
        MiniLm => new OnnxSentenceEmbedder(OnnxSentenceFeaturizerSpec.FromModelDirectory(ResolveModelDirectory(parse.GetValue(ModelDirectory)), parse.GetValue(Int8) ? "model-int8.onnx" : "model.onnx")),
        SmolLm2 => new ChatHiddenStateEmbedder(ChatHiddenStateFeaturizerSpec.FromModelDirectory(ResolveModelDirectory(parse.GetValue(ModelDirectory), SmolLm2, DefaultChatModelDirectory), parse.GetValue(Pooling)) with
        {
            MaxTokens = parse.GetValue(MaxTokens),
            LongInputs = parse.GetValue(LongInputs),
        }),
        _ => throw new UsageException($"unknown featurizer '{kind}'"),
    };

    /// <summary>The model folder: the one given, else the default when it exists.</summary>
    public static string ResolveModelDirectory(DirectoryInfo? given) => ResolveModelDirectory(given, MiniLm, DefaultModelDirectory);

    /// <summary>The model folder of featurizer <paramref name="kind"/>: the one given, else <paramref name="fallbackPath"/> when it exists.</summary>
    public static string ResolveModelDirectory(DirectoryInfo? given, string kind, string fallbackPath)
    {
        if (given is not null)
        {
            return given.Exists ? given.FullName : throw new DirectoryNotFoundException($"model folder not found: {given.FullName}");
        }

        string fallback = Path.GetFullPath(fallbackPath);
        return Directory.Exists(fallback)
            ? fallback
            : throw new UsageException($"--featurizer {kind} needs a model folder: pass --model-dir, or run from a folder where {fallbackPath} exists");
    }
}

/// <summary>An embedder with what it owns (ONNX session, embedding store), released together.</summary>
internal sealed class EmbedderScope : IDisposable
{
    private readonly List<IDisposable> _owned;

    private EmbedderScope(ITextEmbedder embedder, List<IDisposable> owned)
    {
        Embedder = embedder;
        _owned = owned;
    }

    public ITextEmbedder Embedder { get; }

    /// <summary>The store, when all vectors go through one (not for a concatenated featurizer, whose parts are stored apart).</summary>
    public CachedTextEmbedder? Cached => Embedder as CachedTextEmbedder;

    /// <summary>
    /// Wraps <paramref name="embedder"/> in a store at <paramref name="store"/> when one is given. A concatenated
    /// embedder is rebuilt over its parts, each model-backed part wrapped in the store on its own (so its vectors are
    /// the ones the part stores alone, e.g. those of plain --featurizer minilm) and each hashing part computed directly.
    /// </summary>
    public static EmbedderScope WithStore(ITextEmbedder embedder, FileInfo? store, EmbeddingStoreOptions options)
    {
        var owned = new List<IDisposable>();
        if (embedder is IDisposable disposable)
        {
            owned.Add(disposable);
        }

        if (store is null)
        {
            return new EmbedderScope(embedder, owned);
        }

        try
        {
            var opened = EmbeddingStore.Open(store.FullName, options);
            owned.Add(opened);
            ITextEmbedder wrapped = embedder is ConcatenatedTextEmbedder concatenated
                ? new ConcatenatedTextEmbedder([.. concatenated.Parts.Select(p => p.Spec is HashingFeaturizerSpec ? p : new CachedTextEmbedder(p, opened))])
                : new CachedTextEmbedder(embedder, opened);
            return new EmbedderScope(wrapped, owned);
        }
        catch
        {
            owned.ForEach(o => o.Dispose());
            throw;
        }
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }
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

    public Option<int[]> Hidden { get; } = SharedOptions.Hidden("Hidden layer sizes of the MLP head, e.g. --hidden 1024 512 (the reference architecture).", 1024, 512);

    public Option<int> Prototypes { get; } = new("--prototypes") { Description = "Number of prototypes of the prototype head.", DefaultValueFactory = _ => new PrototypeHeadSpec().Prototypes };

    public Option<int> Epochs { get; } = new("--epochs") { Description = "Most training epochs.", DefaultValueFactory = _ => Defaults.MaxEpochs };

    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Pairs per gradient step.", DefaultValueFactory = _ => Defaults.BatchSize };

    public Option<float> LearningRate { get; } = new("--learning-rate") { Description = "AdamW learning rate.", DefaultValueFactory = _ => Defaults.LearningRate };

    public Option<float> WeightDecay { get; } = new("--weight-decay") { Description = "AdamW weight decay.", DefaultValueFactory = _ => Defaults.WeightDecay };

    public Option<float> LabelSmoothing { get; } = new("--label-smoothing") { Description = "Label smoothing in [0, 0.5).", DefaultValueFactory = _ => Defaults.LabelSmoothing };

    public Option<double> ValidationFraction { get; } = new("--validation-fraction") { Description = "Share of prompts held out for early stopping (0 = none).", DefaultValueFactory = _ => Defaults.ValidationFraction };

    public Option<int> Patience { get; } = new("--patience") { Description = "Epochs without validation improvement before stopping.", DefaultValueFactory = _ => Defaults.Patience };

    public Option<long> Seed { get; } = SharedOptions.Seed<long>("Random seed: same seed and data give the same model.", Defaults.Seed);

    public Option<int> Threads { get; } = SharedOptions.Threads("Threads per batch (0 = all cores).");

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
