// Usage: MLNet.Rewards.ModelLoader <model.zip> <rows.jsonl> <output column> <result file>
// Loads the model with MLContext.Model.Load (no reference to MLNet.Rewards types in this file: the zip names what it
// needs), scores every row through Transform and through a PredictionEngine, and writes one line per row:
// "<transform bits> <prediction-engine bits>", each value's IEEE-754 bits in hex, comma-separated for vectors.
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.ModelLoader;

if (args.Length != 4)
{
    Console.Error.WriteLine("usage: MLNet.Rewards.ModelLoader <model.zip> <rows.jsonl> <output column> <result file>");
    return 2;
}

var (modelPath, rowsPath, column, resultPath) = (args[0], args[1], args[2], args[3]);
var rows = File.ReadLines(rowsPath).Select(line => JsonSerializer.Deserialize<InputRow>(line)!).ToList();
var ml = new MLContext(seed: 0);
var model = ml.Model.Load(modelPath, out _);
var data = ml.Data.LoadFromEnumerable(rows);
var transformed = model.Transform(data);
var outputType = transformed.Schema[column].Type;
var lines = new List<string>();
if (outputType is VectorDataViewType)
{
    var fromTransform = transformed.GetColumn<float[]>(column).ToList();
    var definition = SchemaDefinition.Create(typeof(VectorOutput));
    definition[nameof(VectorOutput.Value)].ColumnName = column;
    using var engine = ml.Model.CreatePredictionEngine<InputRow, VectorOutput>(model, outputSchemaDefinition: definition);
    for (int i = 0; i < rows.Count; i++)
    {
        lines.Add($"{Bits(fromTransform[i])} {Bits(engine.Predict(rows[i]).Value)}");
    }
}
else
{
    var fromTransform = transformed.GetColumn<float>(column).ToList();
    var definition = SchemaDefinition.Create(typeof(ScalarOutput));
    definition[nameof(ScalarOutput.Value)].ColumnName = column;
    using var engine = ml.Model.CreatePredictionEngine<InputRow, ScalarOutput>(model, outputSchemaDefinition: definition);
    for (int i = 0; i < rows.Count; i++)
    {
        lines.Add($"{Bits([fromTransform[i]])} {Bits([engine.Predict(rows[i]).Value])}");
    }
}

File.WriteAllLines(resultPath, lines);
return 0;

static string Bits(float[] values) => string.Join(",", values.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)));

