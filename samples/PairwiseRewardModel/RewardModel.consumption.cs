using Microsoft.ML;

namespace PairwiseRewardModel;

/// <summary>Loads the trained zip and scores responses, as Model Builder's consumption code does.</summary>
public static partial class RewardModel
{
    /// <summary>One (prompt, response) to score.</summary>
    public sealed class ModelInput
    {
        public string Prompt { get; set; } = string.Empty;

        public string Response { get; set; } = string.Empty;
    }

    /// <summary>The model's output.</summary>
    public sealed class ModelOutput
    {
        public float Score { get; set; }
    }

    /// <summary>Where <see cref="Predict"/> loads the model from (set before the first call).</summary>
    public static string ModelPath { get; set; } = Path.GetFullPath("reward.zip");

    private static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine = new(CreatePredictEngine, isThreadSafe: true);

    /// <summary>The reward of one response. A PredictionEngine is not thread-safe: call from one thread (the scoring service shows the thread-safe way).</summary>
    public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Predict(input);

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
    {
        var mlContext = new MLContext();
        var model = mlContext.Model.Load(ModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
    }
}
