// Sample 1: train a pairwise reward model from a JSONL file of preference pairs and save the ML.NET model zip.
// Usage: dotnet run --project samples/PairwiseRewardModel -- --train <pairs.jsonl[.gz]> [--test <pairs.jsonl[.gz]>]
//        [--output reward.zip] [--head linear|mlp]
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.Heads;
using MLNet.Rewards;
using PairwiseRewardModel;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

if (!options.TryGetValue("--train", out string? trainPath) || args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: PairwiseRewardModel --train <pairs.jsonl[.gz]> [--test <pairs.jsonl[.gz]>] [--output reward.zip] [--head linear|mlp]");
    return 2;
}

string outputPath = options.GetValueOrDefault("--output", "reward.zip");
HeadSpec head = options.GetValueOrDefault("--head", "linear") == "mlp" ? new MlpHeadSpec { HiddenSizes = [256, 64] } : new LinearHeadSpec();
var mlContext = new MLContext(seed: 1);

Console.WriteLine($"Training a pairwise reward model on {trainPath} ...");
var model = RewardModel.Train(mlContext, trainPath, outputPath, head);
Console.WriteLine($"Saved {Path.GetFullPath(outputPath)} ({new FileInfo(outputPath).Length:N0} bytes).");

if (options.TryGetValue("--test", out string? testPath))
{
    var testPairs = PreferencePairReader.ReadAll(testPath);
    var report = mlContext.Rewards().Evaluate(model.Transform(mlContext.Rewards().LoadPreferencePairs(testPairs)));
    var accuracy = report.Overall;
    Console.WriteLine($"Pairwise accuracy on {testPath}: {accuracy.Accuracy:P1} (95% CI {accuracy.Low:P1} - {accuracy.High:P1}, {accuracy.Count} pairs).");
    Console.WriteLine($"Beyond length (mean accuracy where the chosen response is the longer / the shorter one): {report.ByLength.MeanAccuracy:P1}.");
}

RewardModel.ModelPath = Path.GetFullPath(outputPath);
var input = new RewardModel.ModelInput { Prompt = "How do I boil an egg?", Response = "Put it in boiling water for eight minutes, then cool it in cold water." };
Console.WriteLine($"Reward of a sample answer, from the saved zip: {RewardModel.Predict(input).Score:F4}");
return 0;
