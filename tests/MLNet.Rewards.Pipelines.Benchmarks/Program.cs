// Scoring cost through ML.NET against Core's own scoring of the same model.
// Usage: dotnet MLNet.Rewards.Pipelines.Benchmarks.dll (or scripts/bench-mlnet.sh) [--data <shared data folder>] [--rows N] [--repeats N]
// For each pairwise head (linear; the reference MLP 1024-512; 32 prototypes), trains a Core PairwiseRewardModel and the
// same model through the ML.NET pipeline (the heads are bit-identical: tests/MLNet.Rewards.Tests/CoreParityTests); then a
// gated multi-objective model (the reference 3 x 1024 gate) through Core and through MultiObjectiveReward. Saves each
// ML.NET model with Model.Save, loads it back, checks that it scores bit-identically to Core, and times scoring the same
// (prompt, response) rows:
//   batch:  Core Score(prompts, responses)  vs  loaded ITransformer.Transform + GetColumn
//   single: Core Score(prompt, response)    vs  PredictionEngine.Predict, one row at a time
// Each figure is the median of --repeats runs after a warm-up; ratio = ML.NET / Core.
// It then measures what carrying a 1M-float state as a float-vector value mapping would cost per row.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards;
using MLNet.Rewards.Pipelines.Benchmarks;
using MLNet.Rewards.Pairwise;
using MLNet.Rewards.Training;

var settings = BenchSettings.Parse(args);
var train = PreferencePairReader.Read(Path.Combine(settings.DataDirectory, "hh-harmless-train-sample.jsonl.gz")).Take(400).ToList();
var test = PreferencePairReader.Read(Path.Combine(settings.DataDirectory, "hh-harmless-test.jsonl.gz")).Take(settings.Rows / 2).ToList();
var rows = PreferenceRow.From(test).ToList();
string[] prompts = [.. rows.Select(r => r.Prompt)];
string[] responses = [.. rows.Select(r => r.Response)];
var hashing = new HashingFeaturizerSpec();
Console.WriteLine($"Scoring {rows.Count} (prompt, response) rows of hh-harmless-test; hashing featurizer (1024 buckets), prompt-product layout; median of {settings.Repeats} runs; {Environment.ProcessorCount} cores.");
Console.WriteLine();
Console.WriteLine("| model | parameters | Core batch ms | ML.NET Transform ms | ratio | Core one-by-one ms | PredictionEngine ms | ratio |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");

foreach (var (name, head) in new (string, HeadSpec)[] { ("linear", new LinearHeadSpec()), ("mlp 1024-512", new MlpHeadSpec()), ("prototype (32)", new PrototypeHeadSpec()) })
{
    var options = new PairwiseTrainerOptions { Head = head, MaxEpochs = 2, Seed = 1 };
    var core = new PairwiseRewardEstimator(new HashingTextEmbedder(hashing), options).Fit(train);
    var ml = new MLContext(seed: 1);
    var pipeline = ml.Rewards().EmbedText("PromptEmbedding", "Prompt", hashing)
        .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response", hashing))
        .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
        {
            FeatureColumnName = "ResponseEmbedding",
            PromptFeatureColumnName = "PromptEmbedding",
            ValidationGroupColumnName = "Prompt",
            Trainer = options,
        }));
    if (!Compare(name, core.Head.Parameters.Length, core.Score, core.Score, ml, pipeline, ml.Rewards().LoadPreferencePairs(train)))
    {
        return 1;
    }
}

{
    var rated = RatedResponseReader.Read(Path.Combine(settings.DataDirectory, "helpsteer-sample.jsonl.gz")).Take(400).ToList();
    var trainerOptions = new MultiObjectiveTrainerOptions
    {
        Preference = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 2 },
        GateTrainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 2 },
        MaxVerbositySpearman = 0.03,
        Seed = 1,
    };
    var core = new MultiObjectiveTrainer(trainerOptions).Fit(
        new HashingTextEmbedder(hashing),
        FeatureLayout.ResponseAndPromptProduct,
        [new RegressionObjectiveDefinition("Helpfulness", "helpfulness", rated), new PreferenceObjectiveDefinition("Harmless", train), new MeasuredObjectiveDefinition("Words", LengthMeasure.Words)],
        train);
    var ml = new MLContext(seed: 1);
    var trainRows = PreferenceRow.From(train).Select(r => new MultiObjectiveRow { PairId = r.PairId, Prompt = r.Prompt, Response = r.Response, Label = r.Label })
        .Concat(rated.Select(r => new MultiObjectiveRow { Prompt = r.Prompt, Response = r.Response, Helpfulness = r.Rating("helpfulness") }))
        .ToList();
    var trainer = ml.Rewards().MultiObjectiveReward(new MultiObjectiveRewardTrainerOptions
    {
        Objectives = [new RatingObjectiveColumn("Helpfulness"), new PreferenceObjectiveColumn("Harmless", "Label"), new LengthObjectiveColumn("Words", LengthMeasure.Words)],
        Featurizer = hashing,
        Trainer = trainerOptions,
    });
    long parameters = core.Objectives.Sum(o => (long)(o.Head?.Parameters.Length ?? 0)) + core.Gate!.Parameters.Length;
    if (!Compare("multi-objective, gate 3x1024", parameters, (p, r) => core.Score(p, r), (p, r) => core.Score(p, r), ml, trainer, ml.Data.LoadFromEnumerable(trainRows)))
    {
        return 1;
    }
}

Console.WriteLine();
StateCarrierExperiment.Run(settings.Repeats);
return 0;

// Fits the ML.NET pipeline, saves and reloads it, checks bit-identity with Core, and prints one table row.
bool Compare(string name, long parameters, Func<IReadOnlyList<string>, IReadOnlyList<string>, float[]> coreBatch, Func<string, string, float> coreSingle, MLContext ml, IEstimator<ITransformer> pipeline, IDataView trainData)
{
    var fitted = pipeline.Fit(trainData);
    string zip = Path.Combine(Path.GetTempPath(), $"mlnet-rewards-bench-{Guid.NewGuid():N}.zip");
    ml.Model.Save(fitted, trainData.Schema, zip);
    var loaded = ml.Model.Load(zip, out _);
    File.Delete(zip);
    var scoringData = ml.Data.LoadFromEnumerable(rows.Select(r => new ScoringRow { Prompt = r.Prompt, Response = r.Response }).ToList());
    using var engine = ml.Model.CreatePredictionEngine<ScoringRow, ScoredRow>(loaded);

    float[] coreScores = coreBatch(prompts, responses);
    float[] mlScores = [.. loaded.Transform(scoringData).GetColumn<float>("Score")];
    if (!coreScores.AsSpan().SequenceEqual(mlScores))
    {
        Console.Error.WriteLine($"{name}: the ML.NET and Core scores differ: the comparison would be meaningless");
        return false;
    }

    double coreBatchMs = Timing.Median(settings.Repeats, () => coreBatch(prompts, responses));
    double mlBatchMs = Timing.Median(settings.Repeats, () => _ = loaded.Transform(scoringData).GetColumn<float>("Score").Sum());
    double coreSingleMs = Timing.Median(settings.Repeats, () =>
    {
        for (int i = 0; i < rows.Count; i++)
        {
            coreSingle(prompts[i], responses[i]);
        }
    });
    var input = new ScoringRow();
    double mlSingleMs = Timing.Median(settings.Repeats, () =>
    {
        for (int i = 0; i < rows.Count; i++)
        {
            input.Prompt = prompts[i];
            input.Response = responses[i];
            engine.Predict(input);
        }
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {parameters:N0} | {coreBatchMs:F0} | {mlBatchMs:F0} | {mlBatchMs / coreBatchMs:F2} | {coreSingleMs:F0} | {mlSingleMs:F0} | {mlSingleMs / coreSingleMs:F2} |"));
    return true;
}
