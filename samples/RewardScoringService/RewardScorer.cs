using Microsoft.ML;
using Microsoft.ML.Data;

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

    /// <summary>Loads the zip once and checks that it writes <paramref name="scoreColumn"/> for Prompt/Response rows.</summary>
    public static RewardScorer Load(string modelPath, string scoreColumn)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(modelPath, out _);
        var output = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ModelInput>()).Schema);
        if (output.GetColumnOrNull(scoreColumn) is not { } column || column.Type != NumberDataViewType.Single)
        {
            throw new InvalidOperationException($"{modelPath} does not write a Single column '{scoreColumn}' for rows of Prompt and Response");
        }

        return new RewardScorer(model, scoreColumn);
    }

    /// <summary>The reward of every response to <paramref name="prompt"/>, in order.</summary>
    public float[] Score(string prompt, IReadOnlyList<string> responses)
    {
        var rows = responses.Select(r => new ModelInput { Prompt = prompt, Response = r }).ToList();
        var scored = _model.Transform(_ml.Data.LoadFromEnumerable(rows));
        return [.. scored.GetColumn<float>(_scoreColumn)];
    }
}
