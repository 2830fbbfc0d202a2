using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Persistence;

namespace RewardScoringService;

/// <summary>One row the model reads.</summary>
public sealed class ModelInput
{
    /// <summary>The prompt.</summary>
    public string Prompt { get; set; } = string.Empty;

    /// <summary>The response to score.</summary>
    public string Response { get; set; } = string.Empty;
}

/// <summary>The loaded model, shared by every request.</summary>
public sealed class RewardScorer
{
    private readonly MLContext _ml = new();
    private readonly ITransformer _model;
    private readonly string _scoreColumn;

    private RewardScorer(ITransformer model, string scoreColumn)
    {
        _model = model;
        _scoreColumn = scoreColumn;
    }

    /// <summary>
    /// Loads the zip once and checks that it writes <paramref name="scoreColumn"/> for Prompt/Response rows.
    /// </summary>
    /// <exception cref="ModelFileException">The file is missing, is not a zip, is a core (command-line) model zip, is not
    /// an ML.NET model or does not write the score column.</exception>
    public static RewardScorer Load(string modelPath, string scoreColumn)
    {
        if (!File.Exists(modelPath))
        {
            throw new ModelFileException(modelPath, "no such file; expected an ML.NET model zip saved with mlContext.Model.Save");
        }

        RejectCoreModelZip(modelPath);
        var ml = new MLContext();
        ITransformer model;
        try
        {
            model = ml.Model.Load(modelPath, out _);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidDataException or IOException)
        {
            // ML.NET reports a zip it cannot read with these types; the inner message says which entry was missing.
            throw new ModelFileException(modelPath, $"not an ML.NET model zip saved with mlContext.Model.Save ({(e.InnerException ?? e).Message})");
        }

        var output = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ModelInput>()).Schema);
        if (output.GetColumnOrNull(scoreColumn) is not { } column || column.Type != NumberDataViewType.Single)
        {
            throw new ModelFileException(modelPath, $"the model does not write a Single column '{scoreColumn}' for rows of Prompt and Response (see --score-column)");
        }

        return new RewardScorer(model, scoreColumn);
    }

    // A zip from `mlnet-rewards train` (the core's ModelArchive format) is a valid zip that ML.NET fails on with an
    // unhelpful "legacy format" message: name the format and the command that serves it instead.
    private static void RejectCoreModelZip(string modelPath)
    {
        try
        {
            using var zip = ZipFile.OpenRead(modelPath);
            if (zip.GetEntry(ModelArchive.ManifestEntry) is not null && !zip.Entries.Any(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal)))
            {
                throw new ModelFileException(modelPath,
                    "a core model zip (from `mlnet-rewards train` or RewardModel.Save), not an ML.NET model zip; score it with `mlnet-rewards score`, " +
                    "or serve a model saved with mlContext.Model.Save (samples/PairwiseRewardModel writes one)");
            }
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(modelPath, $"not a zip archive ({e.Message}); expected an ML.NET model zip saved with mlContext.Model.Save");
        }
    }

    /// <summary>The reward of every response to <paramref name="prompt"/>, in order.</summary>
    public float[] Score(string prompt, IReadOnlyList<string> responses)
    {
        var rows = responses.Select(r => new ModelInput { Prompt = prompt, Response = r }).ToList();
        var scored = _model.Transform(_ml.Data.LoadFromEnumerable(rows));
        return [.. scored.GetColumn<float>(_scoreColumn)];
    }
}

/// <summary>The model file given to the service cannot be served; the message names the file and what was expected.</summary>
public sealed class ModelFileException(string path, string problem) : Exception($"{path}: {problem}")
{
    /// <summary>The model file.</summary>
    public string Path { get; } = path;
}
