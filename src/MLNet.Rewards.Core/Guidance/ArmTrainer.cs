using System.Text.Json.Nodes;
using MLNet.Rewards.Models;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Guidance;

/// <summary>Hyperparameters of <see cref="ArmTrainer"/>.</summary>
public sealed record ArmTrainerOptions
{
    /// <summary>Rank r of the correction B·A.</summary>
    public int Rank { get; init; } = 8;

    /// <summary>β_r of the trajectory-level Bradley–Terry loss (scales the reward difference).</summary>
    public float BetaR { get; init; } = 0.1f;

    /// <summary>AdamW learning rate.</summary>
    public float LearningRate { get; init; } = 5e-3f;

    /// <summary>AdamW decoupled weight decay (pulls the head back towards the base model).</summary>
    public float WeightDecay { get; init; }

    /// <summary>Passes over the training pairs.</summary>
    public int Epochs { get; init; } = 4;

    /// <summary>Pairs per gradient step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Seed of A's initialisation and of the pair order: same seed and features give the same head.</summary>
    public long Seed { get; init; }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(Rank >= 1, nameof(Rank), Rank, "must be positive");
        OptionValidation.Require(BetaR > 0 && float.IsFinite(BetaR), nameof(BetaR), BetaR, "must be a positive finite number");
        OptionValidation.Require(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be a positive finite number");
        OptionValidation.Require(WeightDecay >= 0 && float.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "must be 0 or a positive finite number");
        OptionValidation.Require(Epochs >= 1, nameof(Epochs), Epochs, "must be positive");
        OptionValidation.Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "must be positive");
    }
}

/// <summary>Loss and pairwise accuracy of an ARM after one epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationAccuracy">Share of validation pairs whose chosen response gets the higher reward (NaN without validation pairs).</param>
public sealed record ArmEpochReport(int Epoch, double TrainLoss, double ValidationAccuracy);

/// <summary>
/// Trains GenARM's autoregressive reward head for one principle on stored features: trajectory-level Bradley–Terry loss,
/// AdamW, seeded shuffling, single-threaded accumulation (bit-identical for a seed). With validation pairs, the weights
/// of the epoch with the best validation accuracy are kept (the head has ~400 k weights and overfits small data fast).
/// </summary>
public static class ArmTrainer
{
    /// <summary>Trains a head on <paramref name="train"/>, reporting accuracy on <paramref name="validation"/> after each epoch.</summary>
    public static AutoregressiveRewardModel Fit(string principle, IReadOnlyList<ArmPairFeatures> train, IReadOnlyList<ArmPairFeatures> validation, int vocabularySize, ArmTrainerOptions options, IProgress<ArmEpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Count == 0)
        {
            throw new ArgumentException("no training pairs", nameof(train));
        }

        var first = train[0].Chosen;
        var model = new AutoregressiveRewardModel(principle, options.Rank, first.HiddenSize, vocabularySize, first.TopK, options.Seed);
        var optimizer = new AdamW(model.Parameters.Length, new AdamWOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay });
        var gradient = new float[model.Parameters.Length];
        var order = Enumerable.Range(0, train.Count).ToArray();
        var random = new SeededRandom(SeededRandom.Derive(options.Seed, 1));
        double baseAccuracy = Accuracy(model, validation);
        float[] best = [.. model.Parameters];
        double bestAccuracy = double.NegativeInfinity;
        int bestEpoch = 0;
        var metrics = new Dictionary<string, double>();
        if (validation.Count > 0)
        {
            metrics["validation.accuracy.base"] = baseAccuracy;
        }

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order.AsSpan());
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.Skip(start).Take(options.BatchSize).Select(i => train[i]).ToList();
                Array.Clear(gradient);
                double batchLoss = ArmObjective.LossAndGradient(model, batch, options.BetaR, gradient);
                TrainingDivergedException.ThrowIfNotFinite(batchLoss, $"ARM training loss of epoch {epoch}, batch {batches + 1}");
                lossSum += batchLoss;
                optimizer.Step(model.Parameters, gradient);
                batches++;
            }

            TrainingDivergedException.ThrowIfNotFinite(model.Parameters, $"ARM head after epoch {epoch}");

            double accuracy = Accuracy(model, validation);
            progress?.Report(new ArmEpochReport(epoch, lossSum / batches, accuracy));
            metrics[$"train.loss.epoch{epoch}"] = lossSum / batches;
            if (validation.Count == 0 || accuracy > bestAccuracy)
            {
                // Early stopping: with validation pairs, keep the epoch that ranks them best (the first one on ties).
                bestAccuracy = accuracy;
                bestEpoch = epoch;
                model.Parameters.CopyTo(best, 0);
                if (validation.Count > 0)
                {
                    metrics["validation.accuracy"] = accuracy;
                }
            }
        }

        metrics["bestEpoch"] = bestEpoch;
        var info = new ModelInfo
        {
            Hyperparameters = new JsonObject
            {
                ["rank"] = options.Rank,
                ["betaR"] = options.BetaR,
                ["learningRate"] = options.LearningRate,
                ["weightDecay"] = options.WeightDecay,
                ["epochs"] = options.Epochs,
                ["batchSize"] = options.BatchSize,
                ["seed"] = options.Seed,
                ["topK"] = first.TopK,
            },
            Metrics = metrics,
        };
        var trained = new AutoregressiveRewardModel(principle, options.Rank, first.HiddenSize, vocabularySize, first.TopK, options.Seed, info);
        best.CopyTo(trained.Parameters, 0);
        return trained;
    }

    /// <summary>Share of pairs whose chosen response gets the higher reward (NaN for no pairs).</summary>
    public static double Accuracy(AutoregressiveRewardModel model, IReadOnlyList<ArmPairFeatures> pairs)
    {
        ArgumentNullException.ThrowIfNull(model);
        return pairs.Count == 0 ? double.NaN : pairs.Count(p => model.Reward(p.Chosen) > model.Reward(p.Rejected)) / (double)pairs.Count;
    }
}
