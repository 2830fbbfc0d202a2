using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>train-multi-objective</c>: train a gated multi-objective reward model from a JSON config listing objectives and their data.</summary>
internal static class TrainMultiObjectiveCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config")
        {
            Description = "JSON config: featurizer, featureLayout, objectives [{name, kind: regression|preference|measured, data, rating | head | measure}], combiner {data, gate, gateHiddenSizes, temperature, epochs, maxVerbositySpearman}, seed. Data paths are relative to the config file. See docs/multi-objective.md.",
            Required = true,
        };
        var output = SharedOptions.OutputFile("Where to write the model zip.");
        var skip = SharedOptions.SkipBadLines();
        var command = new Command("train-multi-objective", "Train a multi-objective reward model (ridge objectives on ratings, Bradley–Terry objectives per principle, measured length) with a gate or fitted linear weights, and save it as one model zip.")
        {
            config, output, skip,
        };
        command.SetAction((parse, cancel) =>
        {
            var file = parse.GetValue(config)!;
            var settings = MultiObjectiveConfig.Read(file.FullName);
            bool skipBad = parse.GetValue(skip);
            string baseDirectory = file.DirectoryName!;
            OutputTargets.RefuseInputs("--output", parse.GetValue(output)!, settings.DataFiles(baseDirectory));
            var definitions = settings.Objectives.Select(o => o.ToDefinition(baseDirectory, skipBad)).ToList();
            var pairs = SharedOptions.ReadPairs(settings.Combiner.Data.Select(d => new FileInfo(Path.Combine(baseDirectory, d))), skipBad);
            var embedder = settings.Featurizer.CreateEmbedder(FeaturizerContext.Default);
            Console.Error.WriteLine($"{definitions.Count} objectives; combiner on {pairs.Count:N0} pairs; featurizer {embedder}");
            var clock = Stopwatch.StartNew();
            var log = new SynchronousProgress<string>(Console.Error.WriteLine);
            var model = new MultiObjectiveTrainer(settings.Combiner.ToOptions(settings.Seed)).Fit(embedder, settings.FeatureLayout, definitions, pairs, log, cancel);
            var target = parse.GetValue(output)!;
            model.Save(target.FullName);

            var table = ResultTables.Create("objective", "kind", ">mean", ">scale", ">λ (verbosity)", "metrics");
            foreach (var (d, _) in model.Objectives)
            {
                table.AddPlainRow([d.Name, d.Kind.ToString(), ResultTables.Number(d.Mean), ResultTables.Number(d.Scale), ResultTables.Number(d.VerbosityLambda, "G4"), string.Join(", ", d.Metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:G4}")))]);
            }

            ResultTables.Write(table);
            Console.WriteLine($"saved {target.FullName} (default combination {model.DefaultCombination.Describe()}, {clock.Elapsed.TotalSeconds:F1} s)");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}

/// <summary>The JSON config of <c>train-multi-objective</c>.</summary>
internal sealed record MultiObjectiveConfig
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        AllowOutOfOrderMetadataProperties = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public FeaturizerSpec Featurizer { get; init; } = new HashingFeaturizerSpec();

    public FeatureLayout FeatureLayout { get; init; } = FeatureLayout.ResponseAndPromptProduct;

    public List<ObjectiveConfig> Objectives { get; init; } = [];

    public CombinerConfig Combiner { get; init; } = new();

    public long Seed { get; init; }

    /// <summary>Every data file the config names, as full paths (relative ones are resolved against <paramref name="baseDirectory"/>).</summary>
    public IEnumerable<string> DataFiles(string baseDirectory) =>
        Objectives.SelectMany(o => o.DataFiles()).Concat(Combiner.Data).Select(d => Path.GetFullPath(Path.Combine(baseDirectory, d)));

    /// <summary>Reads and checks a config; JSON errors name the file, line and JSON path.</summary>
    public static MultiObjectiveConfig Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, "config file not found");
        }

        MultiObjectiveConfig config;
        try
        {
            config = JsonSerializer.Deserialize<MultiObjectiveConfig>(File.ReadAllText(path), Json) ?? throw new JsonException("the config is null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? 0) + 1, $"{e.Message}", e);
        }

        if (config.Objectives.Count == 0)
        {
            throw new DataFormatException(path, 0, "'objectives' must list at least one objective");
        }

        if (config.Combiner.Data.Count == 0)
        {
            throw new DataFormatException(path, 0, "'combiner.data' must list at least one preference file");
        }

        foreach (var objective in config.Objectives.Where(o => string.IsNullOrWhiteSpace(o.Name)))
        {
            throw new DataFormatException(path, 0, $"objective #{config.Objectives.IndexOf(objective) + 1} has no 'name'");
        }

        return config;
    }
}

/// <summary>One objective of the config.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RegressionObjectiveConfig), "regression")]
[JsonDerivedType(typeof(PreferenceObjectiveConfig), "preference")]
[JsonDerivedType(typeof(MeasuredObjectiveConfig), "measured")]
internal abstract record ObjectiveConfig
{
    public string Name { get; init; } = "";

    /// <summary>The data files this objective reads, as written in the config.</summary>
    public abstract IEnumerable<string> DataFiles();

    public abstract ObjectiveDefinition ToDefinition(string baseDirectory, bool skipBadLines);
}

/// <summary>A ridge objective: <c>data</c> is a rated-response file, <c>rating</c> the attribute (default: the name).</summary>
internal sealed record RegressionObjectiveConfig : ObjectiveConfig
{
    public string Data { get; init; } = "";

    public string? Rating { get; init; }

    public override IEnumerable<string> DataFiles() => [Data];

    public override ObjectiveDefinition ToDefinition(string baseDirectory, bool skipBadLines)
    {
        string path = Path.Combine(baseDirectory, Data);
        var stats = new ReadStatistics();
        var rows = RatedResponseReader.ReadAll(path, new ReadOptions { SkipBadLines = skipBadLines }, stats);
        if (stats.Skipped > 0)
        {
            Console.Error.WriteLine($"{Data}: skipped {stats.Skipped} malformed line(s), e.g. line {stats.SkippedExamples[0].Line}: {stats.SkippedExamples[0].Problem}");
        }

        return new RegressionObjectiveDefinition(Name, Rating ?? Name, rows);
    }
}

/// <summary>A Bradley–Terry objective: <c>data</c> lists preference files; <c>head</c> and <c>epochs</c> are optional.</summary>
internal sealed record PreferenceObjectiveConfig : ObjectiveConfig
{
    public List<string> Data { get; init; } = [];

    public HeadSpec Head { get; init; } = new LinearHeadSpec();

    public int Epochs { get; init; } = 20;

    public override IEnumerable<string> DataFiles() => Data;

    public override ObjectiveDefinition ToDefinition(string baseDirectory, bool skipBadLines)
    {
        var pairs = SharedOptions.ReadPairs(Data.Select(d => new FileInfo(Path.Combine(baseDirectory, d))), skipBadLines);
        return new PreferenceObjectiveDefinition(Name, pairs, new PairwiseTrainerOptions { Head = Head, MaxEpochs = Epochs });
    }
}

/// <summary>A measured objective: the response length in <c>measure</c> (Characters or Words).</summary>
internal sealed record MeasuredObjectiveConfig : ObjectiveConfig
{
    public LengthMeasure Measure { get; init; } = LengthMeasure.Characters;

    public override IEnumerable<string> DataFiles() => [];

    public override ObjectiveDefinition ToDefinition(string baseDirectory, bool skipBadLines) => new MeasuredObjectiveDefinition(Name, Measure);
}

/// <summary>The combiner part of the config: its preference data, the gate and decorrelation.</summary>
internal sealed record CombinerConfig
{
    public List<string> Data { get; init; } = [];

    public bool Gate { get; init; } = true;

    public int[] GateHiddenSizes { get; init; } = [1024, 1024, 1024];

    public float Temperature { get; init; } = 1f;

    public int Epochs { get; init; } = 20;

    public float LearningRate { get; init; } = 1e-3f;

    public double? MaxVerbositySpearman { get; init; } = 0.03;

    public LengthMeasure VerbosityMeasure { get; init; } = LengthMeasure.Characters;

    public MultiObjectiveTrainerOptions ToOptions(long seed) => new()
    {
        TrainGate = Gate,
        Gate = new GatingHeadSpec { HiddenSizes = GateHiddenSizes, Temperature = Temperature },
        GateTrainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = Epochs, LearningRate = LearningRate },
        MaxVerbositySpearman = MaxVerbositySpearman,
        VerbosityMeasure = VerbosityMeasure,
        Seed = seed,
    };
}
