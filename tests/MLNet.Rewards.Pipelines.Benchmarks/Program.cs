// Scoring cost through ML.NET against Core's own scoring of the same model.
// Usage: dotnet MLNet.Rewards.Pipelines.Benchmarks.dll (or scripts/bench-mlnet.sh) [--data <shared data folder>] [--rows N] [--repeats N]
// For each head (linear; the reference MLP 1024-512), trains a Core PairwiseRewardModel and the same model through the
// ML.NET pipeline (the heads are bit-identical: tests/MLNet.Rewards.Tests/CoreParityTests), saves the ML.NET model with
// Model.Save, loads it back, and times scoring the same (prompt, response) rows:
//   batch:  Core PairwiseRewardModel.Score(prompts, responses)  vs  loaded ITransformer.Transform + GetColumn
//   single: Core PairwiseRewardModel.Score(prompt, response)    vs  PredictionEngine.Predict, one row at a time
// Each figure is the median of --repeats runs after a warm-up; ratio = ML.NET / Core.
// It then measures what carrying a 1M-float state as a float-vector value mapping would cost per row.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Pipelines.Benchmarks;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Pipelines;
using MLNet.Rewards.Pipelines.Pairwise;
using MLNet.Rewards.Training;

var settings = BenchSettings.Parse(args);
var train = PreferencePairReader.Read(Path.Combine(settings.DataDirectory, "hh-harmless-train-sample.jsonl.gz")).Take(400).ToList();
var test = PreferencePairReader.Read(Path.Combine(settings.DataDirectory, "hh-harmless-test.jsonl.gz")).Take(settings.Rows / 2).ToList();
var rows = PreferenceRow.From(test).ToList();
string[] prompts = [.. rows.Select(r => r.Prompt)];
string[] responses = [.. rows.Select(r => r.Response)];
Console.WriteLine($"Scoring {rows.Count} (prompt, response) rows of hh-harmless-test; hashing featurizer (1024 buckets), prompt-product layout; median of {settings.Repeats} runs; {Environment.ProcessorCount} cores.");
Console.WriteLine();
Console.WriteLine("| head | parameters | Core batch ms | ML.NET Transform ms | ratio | Core one-by-one ms | PredictionEngine ms | ratio |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");

foreach (HeadSpec head in new HeadSpec[] { new LinearHeadSpec(), new MlpHeadSpec() })
{
    var options = new PairwiseTrainerOptions { Head = head, MaxEpochs = 2, Seed = 1 };
    var hashing = new HashingFeaturizerSpec();
    var core = new PairwiseRewardEstimator(new HashingTextEmbedder(hashing), options).Fit(train);

    var ml = new MLContext(seed: 1);
    var trainData = ml.Rewards().LoadPreferencePairs(train);
    var fitted = ml.Rewards().EmbedText("PromptEmbedding", "Prompt", hashing)
        .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response", hashing))
        .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
        {
            FeatureColumnName = "ResponseEmbedding",
            PromptFeatureColumnName = "PromptEmbedding",
            GroupColumnName = "Prompt",
            Trainer = options,
        }))
        .Fit(trainData);
    string zip = Path.Combine(Path.GetTempPath(), $"mlnet-rewards-bench-{Guid.NewGuid():N}.zip");
    ml.Model.Save(fitted, trainData.Schema, zip);
    var loaded = ml.Model.Load(zip, out _);
    File.Delete(zip);
    var scoringData = ml.Data.LoadFromEnumerable(rows.Select(r => new ScoringRow { Prompt = r.Prompt, Response = r.Response }).ToList());
    using var engine = ml.Model.CreatePredictionEngine<ScoringRow, ScoredRow>(loaded);

    float[] coreScores = core.Score(prompts, responses);
    float[] mlScores = [.. loaded.Transform(scoringData).GetColumn<float>("Score")];
    if (!coreScores.AsSpan().SequenceEqual(mlScores))
    {
        Console.Error.WriteLine("the ML.NET and Core scores differ: the comparison would be meaningless");
        return 1;
    }

    double coreBatch = Timing.Median(settings.Repeats, () => core.Score(prompts, responses));
    double mlBatch = Timing.Median(settings.Repeats, () => _ = loaded.Transform(scoringData).GetColumn<float>("Score").Sum());
    double coreSingle = Timing.Median(settings.Repeats, () =>
    {
        for (int i = 0; i < rows.Count; i++)
        {
            core.Score(prompts[i], responses[i]);
        }
    });
    var input = new ScoringRow();
    double mlSingle = Timing.Median(settings.Repeats, () =>
    {
        for (int i = 0; i < rows.Count; i++)
        {
            input.Prompt = prompts[i];
            input.Response = responses[i];
            engine.Predict(input);
        }
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {(head is LinearHeadSpec ? "linear" : "mlp 1024-512")} | {core.Head.Parameters.Length:N0} | {coreBatch:F0} | {mlBatch:F0} | {mlBatch / coreBatch:F2} | {coreSingle:F0} | {mlSingle:F0} | {mlSingle / coreSingle:F2} |"));
}

Console.WriteLine();
StateCarrierExperiment.Run(settings.Repeats);
return 0;
