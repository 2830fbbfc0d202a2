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
    public PairwiseRewardEstimator(ITextEmbedder embedder, PairwiseTrainerOptions? options = null, FeatureLayout layout = FeatureLayout.ResponseAndPromptProduct)
    {
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
        var trainData = featurizer.Featurize(train, observer?.Featurization, cancellationToken);
        var validData = validation is { Count: > 0 } ? featurizer.Featurize(validation, observer?.Featurization, cancellationToken) : null;
        var result = new PairwiseTrainer(Options).Fit(trainData, validData, observer?.Epochs, cancellationToken);
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
        };
        return new PairwiseRewardModel(Embedder, Layout, result.Head, info);
    }
}

/// <summary>Progress callbacks for a fit: texts embedded, then one report per epoch.</summary>
public sealed record TrainingObserver
{
    /// <summary>(texts embedded, texts total).</summary>
    public IProgress<(int Done, int Total)>? Featurization { get; init; }

    /// <summary>One report per finished epoch.</summary>
    public IProgress<EpochReport>? Epochs { get; init; }
}
