using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace MLNet.Rewards.Tests;

/// <summary>A training row: one response of a preference pair, with two numeric columns for mixed pipelines.</summary>
public sealed class TrainRow
{
    public string PairId { get; set; } = string.Empty;

    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;

    public bool Label { get; set; }

    public float Length { get; set; }

    public float Words { get; set; }
}

/// <summary>Data slices, in-process scoring, and the separate model-loader process.</summary>
internal static class Fixtures
{
    public static List<PreferencePair> Pairs(int count, string file = "hh-harmless-train-sample.jsonl.gz")
        => [.. PreferencePairReader.Read(SharedFiles.Data(file)).Take(count)];

    public static List<TrainRow> TrainRows(IEnumerable<PreferencePair> pairs)
        => [.. PreferenceRow.From(pairs).Select(r => new TrainRow
        {
            PairId = r.PairId,
            Prompt = r.Prompt,
            Response = r.Response,
            Label = r.Label,
            Length = r.Response.Length,
            Words = r.Response.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
        })];

    public static List<ScoreRow> ScoreRows(IEnumerable<TrainRow> rows)
        => [.. rows.Select(r => new ScoreRow { Prompt = r.Prompt, Response = r.Response, Length = r.Length, Words = r.Words })];

    /// <summary>Per column and row "column: transform-bits engine-bits", exactly as the model-loader process writes them.</summary>
    public static List<string> ScoreInProcess(MLContext ml, ITransformer model, List<ScoreRow> rows, string columns)
        => ScoreProbe.ScoreColumns(ml, model, rows, columns);

    /// <summary>Loads <paramref name="modelPath"/> in a new process and returns what it scored (<paramref name="columns"/>: comma-separated).</summary>
    public static List<string> ScoreInSeparateProcess(string modelPath, List<ScoreRow> rows, string columns)
    {
        string rowsPath = TempPath(".jsonl");
        string resultPath = TempPath(".txt");
        try
        {
            File.WriteAllLines(rowsPath, rows.Select(r => JsonSerializer.Serialize(r)));
            var result = RunDotnet(Artifact("ModelLoader"), modelPath, rowsPath, columns, resultPath);
            Assert.AreEqual(0, result.ExitCode, $"the model-loader process failed:\n{result.Output}");
            return [.. File.ReadAllLines(resultPath)];
        }
        finally
        {
            File.Delete(rowsPath);
            File.Delete(resultPath);
        }
    }

    /// <summary>Path of a program built beside the tests (recorded in this assembly's metadata by the project file).</summary>
    public static string Artifact(string name)
    {
        string? path = typeof(Fixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == name)?.Value;
        Assert.IsNotNull(path, $"no assembly metadata '{name}'");
        Assert.IsTrue(File.Exists(path), $"{path} was not built (it is a project reference of the test project)");
        return path;
    }

    public static (int ExitCode, string Output) RunDotnet(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish in 2 minutes");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The shape of a schema, as an estimator's GetOutputSchema takes it (ML.NET's SchemaShape.Create is internal).</summary>
    public static SchemaShape Shape(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    public static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"mlnet-rewards-mltest-{Guid.NewGuid():N}{extension}");

}
