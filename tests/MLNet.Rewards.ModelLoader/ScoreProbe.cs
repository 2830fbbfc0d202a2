using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards.ModelLoader;

/// <summary>A scoring row: what a production caller has. The round-trip tests' pipelines read these columns.</summary>
public sealed class ScoreRow
{
    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;

    public float Length { get; set; }

    public float Words { get; set; }
}

/// <summary>
/// Scores rows through <see cref="ITransformer.Transform"/> and through a <see cref="PredictionEngine{TSrc, TDst}"/>, and
/// writes each row as "transform-bits engine-bits": every value's IEEE-754 bits in hex, comma-separated for vectors.
/// Shared by the model-loader process and the tests (linked into both), so both sides format results identically.
/// </summary>
public static class ScoreProbe
{
    /// <summary>The lines of every column in <paramref name="columns"/> (comma-separated names), column after column.</summary>
    public static List<string> ScoreColumns(MLContext ml, ITransformer model, IReadOnlyList<ScoreRow> rows, string columns)
        => [.. columns.Split(',').SelectMany(column => Score(ml, model, rows, column).Select(line => $"{column}: {line}"))];

    public static List<string> Score(MLContext ml, ITransformer model, IReadOnlyList<ScoreRow> rows, string column)
    {
        var transformed = model.Transform(ml.Data.LoadFromEnumerable(rows));
        return transformed.Schema[column].Type is VectorDataViewType
            ? Lines<VectorOutput>(ml, model, rows, column, [.. transformed.GetColumn<float[]>(column)], o => o.Value)
            : Lines<ScalarOutput>(ml, model, rows, column, [.. transformed.GetColumn<float>(column).Select(v => new[] { v })], o => [o.Value]);
    }

    private static List<string> Lines<TOutput>(MLContext ml, ITransformer model, IReadOnlyList<ScoreRow> rows, string column, List<float[]> fromTransform, Func<TOutput, float[]> values)
        where TOutput : class, new()
    {
        var definition = SchemaDefinition.Create(typeof(TOutput));
        definition[0].ColumnName = column;
        using var engine = ml.Model.CreatePredictionEngine<ScoreRow, TOutput>(model, outputSchemaDefinition: definition);
        return [.. rows.Select((row, i) => $"{Bits(fromTransform[i])} {Bits(values(engine.Predict(row)))}")];
    }

    private static string Bits(float[] values) => string.Join(",", values.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture)));

    /// <summary>A scalar output column, renamed by the schema definition.</summary>
    public sealed class ScalarOutput
    {
        public float Value { get; set; }
    }

    /// <summary>A vector output column, renamed by the schema definition.</summary>
    public sealed class VectorOutput
    {
        public float[] Value { get; set; } = [];
    }
}
