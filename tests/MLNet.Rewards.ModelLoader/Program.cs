// Usage: MLNet.Rewards.ModelLoader <model.zip> <rows.jsonl> <output column[,column...]> <result file>
// Loads the model with MLContext.Model.Load (nothing here names an MLNet.Rewards type: the zip names what it needs),
// scores every row through Transform and through a PredictionEngine, and writes one line per row and column (see ScoreProbe).
using System.Text.Json;
using Microsoft.ML;
using MLNet.Rewards.ModelLoader;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: MLNet.Rewards.ModelLoader <model.zip> <rows.jsonl> <output column[,column...]> <result file>");
    return 2;
}

var (modelPath, rowsPath, columns, resultPath) = (args[0], args[1], args[2], args[3]);
var rows = File.ReadLines(rowsPath).Select(line => JsonSerializer.Deserialize<ScoreRow>(line)!).ToList();
var ml = new MLContext(seed: 0);
var model = ml.Model.Load(modelPath, out _);
File.WriteAllLines(resultPath, ScoreProbe.ScoreColumns(ml, model, rows, columns));
return 0;
