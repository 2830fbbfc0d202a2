// Sample 2: a multi-objective reward pipeline. The same 500 PKU-SafeRLHF pairs are judged on two principles (more
// helpful, safer); the gated multi-objective combiner (ArmoRM) trains a reward per principle plus a length objective, and
// a gate that weighs them per prompt, then saves one zip. The held-out table reports each objective and the combination.
// Usage: dotnet run --project samples/MultiObjectiveReward -- [--data ../shared/data] [--output multi-objective.zip]
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MultiObjectiveReward;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

string dataDirectory = options.GetValueOrDefault("--data", Path.Combine("..", "shared", "data"));
string outputPath = options.GetValueOrDefault("--output", "multi-objective.zip");
var helpful = PreferencePairReader.ReadAll(Path.Combine(dataDirectory, "pku-saferlhf-helpful.jsonl.gz"));
var harmless = PreferencePairReader.ReadAll(Path.Combine(dataDirectory, "pku-saferlhf-harmless.jsonl.gz"));
var (trainPairs, testPairs) = PromptGroupedSplit.TrainTest(helpful, testFraction: 0.3, seed: 1);

var mlContext = new MLContext(seed: 1);
var trainData = mlContext.Data.LoadFromEnumerable(MultiObjectiveModel.Join(trainPairs, harmless));
var model = MultiObjectiveModel.BuildPipeline(mlContext).Fit(trainData);
mlContext.Model.Save(model, trainData.Schema, outputPath);
Console.WriteLine($"Trained on {trainPairs.Count} pairs; saved {Path.GetFullPath(outputPath)}.");

var testRows = MultiObjectiveModel.Join(testPairs, harmless);
var scored = mlContext.Model.Load(outputPath, out _).Transform(mlContext.Data.LoadFromEnumerable(testRows));
var objectiveRewards = scored.GetColumn<float[]>("ObjectiveRewards").ToList();
var columns = MultiObjectiveModel.ObjectiveNames.Select((name, j) => (Name: $"objective {name}", Scores: objectiveRewards.Select(r => r[j]).ToArray())).ToList();
columns.Add(("Score (gate)", [.. scored.GetColumn<float>("Score")]));
var meanWeights = MultiObjectiveModel.ObjectiveNames.Select((_, j) => scored.GetColumn<float[]>("GateWeights").Average(w => w[j])).ToList();
var evaluator = new PairwiseEvaluator();
Console.WriteLine($"Pairwise accuracy on {testPairs.Count} held-out pairs (prompt-grouped split), by the principle that judged them:");
Console.WriteLine("| reward | helpful judgements | harmless judgements |");
Console.WriteLine("|---|---:|---:|");
foreach (var (name, scores) in columns)
{
    Console.WriteLine($"| {name} | {Accuracy(scores, r => r.Helpful):P1} | {Accuracy(scores, r => r.Harmless):P1} |");
}

Console.WriteLine($"Mean gate weight on the held-out rows: {string.Join(", ", MultiObjectiveModel.ObjectiveNames.Select((name, j) => $"{name} {meanWeights[j]:F3}"))}.");

return 0;

double Accuracy(float[] scores, Func<TwoPrincipleRow, bool> preferred)
{
    var chosen = new List<float>();
    var rejected = new List<float>();
    for (int i = 0; i < testRows.Count; i += 2)
    {
        bool firstWins = preferred(testRows[i]);
        chosen.Add(firstWins ? scores[i] : scores[i + 1]);
        rejected.Add(firstWins ? scores[i + 1] : scores[i]);
    }

    return evaluator.Accuracy([.. chosen], [.. rejected]).Accuracy;
}
