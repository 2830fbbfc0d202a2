using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Models;

/// <summary>
/// Fits a <see cref="PairwiseRewardModel"/> from preference pairs: featurize, train a Bradley–Terry head, record the
/// hyperparameters and data hash. The estimator holds only settings; <see cref="Fit"/> returns a new model each time.
/// </summary>
public sealed class PairwiseRewardEstimator
{
    /// <summary>Creates an estimator over <paramref name="embedder"/> with the given trainer options and feature layout.</summary>
    public PairwiseRewardEstimator(ITextEmbedder embedder, PairwiseTrainerOptions? options = null, FeatureLayout layout = FeatureLayout.ResponseAndPromptProduct, IReadOnlyDictionary<string, float>? sourceWeights = null)
    {
        if (sourceWeights is not null && sourceWeights.Any(w => !(w.Value >= 0) || float.IsInfinity(w.Value)))
        {
            throw new ArgumentException("source weights must be finite and non-negative", nameof(sourceWeights));
        }

        SourceWeights = sourceWeights;
        Embedder = embedder;
        Options = options ?? new PairwiseTrainerOptions();
        Options.Validate();
        Layout = layout;
    }

    /// <summary>The text embedder.</summary>
    public ITextEmbedder Embedder { get; }

    /// <summary>Trainer hyperparameters.</summary>
    public PairwiseTrainerOptions Options { get; }

    /// <summary>Feature layout.</summary>
    public FeatureLayout Layout { get; }

    /// <summary>Loss weight of each training pair by its source (sources not listed weigh 1), or null for equal weights.</summary>
    public IReadOnlyDictionary<string, float>? SourceWeights { get; }

    /// <summary>
    /// Trains on <paramref name="train"/>; early stopping uses <paramref name="validation"/> when given, else a prompt-grouped
    /// hold-out of <paramref name="train"/>.
    /// </summary>
    public PairwiseRewardModel Fit(IReadOnlyList<PreferencePair> train, IReadOnlyList<PreferencePair>? validation = null, TrainingObserver? observer = null, CancellationToken cancellationToken = default)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("no training pairs", nameof(train));
        }

        var featurizer = new PairFeaturizer(Embedder, Layout);
        var trainData = WithColumns(featurizer.Featurize(train, observer?.Featurization, cancellationToken), train);
        var validData = validation is { Count: > 0 } ? featurizer.Featurize(validation, observer?.Featurization, cancellationToken) : null;
        var result = new PairwiseTrainer(Options).Fit(trainData, validData, observer?.Epochs, cancellationToken);
        var statistics = RewardStatistics.Of(result.Head, trainData);
        var last = result.History[result.BestEpoch - 1];
        var info = new ModelInfo
        {
            Hyperparameters = JsonSerializer.SerializeToNode(Options, ModelArchive.JsonOptions)!.AsObject(),
            Training = new TrainingMetadata(
                PreferenceDataHash.Of(train),
                result.TrainPairs,
                result.ValidationPairs,
                result.History.Count,
                result.BestEpoch,
                Options.Seed,
                [.. train.Select(p => p.Source).Distinct().Order(StringComparer.Ordinal)]),
            Metrics = double.IsNaN(last.ValidationAccuracy)
                ? []
                : new Dictionary<string, double> { ["validation.accuracy"] = last.ValidationAccuracy, ["validation.loss"] = last.ValidationLoss },
            Rewards = statistics,
        };
        return new PairwiseRewardModel(Embedder, Layout, result.Head, info);
    }

    /// <summary>The pairs' margins and source weights as dataset columns (left null when every pair has the default).</summary>
    private PairwiseDataset WithColumns(PairwiseDataset data, IReadOnlyList<PreferencePair> pairs)
    {
        bool margins = pairs.Any(p => p.Margin is not null);
        bool weights = SourceWeights is { Count: > 0 };
        if (!margins && !weights)
        {
            return data;
        }

        return new PairwiseDataset(data.Chosen, data.Rejected, data.Groups)
        {
            Margins = margins ? [.. pairs.Select(p => p.Margin ?? 0f)] : null,
            Weights = weights ? [.. pairs.Select(p => SourceWeights!.TryGetValue(p.Source, out float w) ? w : 1f)] : null,
        };
    }
}

/// <summary>
/// Mean and standard deviation of a model's rewards over every response (chosen and rejected) of its training pairs, the
/// early-stopping hold-out included, saved in the zip
/// so that users can put rewards from different models on one scale: (r − mean) / std.
/// </summary>
/// <param name="Mean">Mean reward.</param>
/// <param name="StandardDeviation">Population standard deviation of the rewards.</param>
/// <param name="Responses">Responses the statistics were measured on.</param>
public sealed record RewardStatistics(double Mean, double StandardDeviation, int Responses)
{
    /// <summary>The statistics of <paramref name="head"/>'s rewards over every chosen and rejected row of <paramref name="data"/>.</summary>
    public static RewardStatistics Of(Heads.RewardHead head, PairwiseDataset data)
    {
        var rewards = new float[2 * data.Count];
        head.Score(data.Chosen, rewards.AsSpan(0, data.Count));
        head.Score(data.Rejected, rewards.AsSpan(data.Count));
        double mean = rewards.Average(r => (double)r);
        double variance = rewards.Average(r => (r - mean) * (r - mean));
        return new RewardStatistics(mean, Math.Sqrt(variance), rewards.Length);
    }

    /// <summary>(reward − mean) / std (the reward minus the mean when the std is 0).</summary>
    public double Normalize(double reward) => StandardDeviation > 0 ? (reward - Mean) / StandardDeviation : reward - Mean;
}

/// <summary>Progress callbacks for a fit: texts embedded, then one report per epoch.</summary>
public sealed record TrainingObserver
{
    /// <summary>(texts embedded, texts total).</summary>
    public IProgress<(int Done, int Total)>? Featurization { get; init; }

    /// <summary>One report per finished epoch.</summary>
    public IProgress<EpochReport>? Epochs { get; init; }
}
