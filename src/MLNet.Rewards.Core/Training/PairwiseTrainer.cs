using System.Diagnostics;
using System.Numerics.Tensors;
using MLNet.Rewards.Heads;

namespace MLNet.Rewards.Training;

/// <summary>
/// Trains a reward head with the Bradley–Terry loss on featurized preference pairs: AdamW on mini-batches, each batch
/// split into a fixed number of shards computed in parallel and reduced in shard order (so results are deterministic),
/// early stopping on a prompt-grouped validation split with the best epoch's weights restored.
/// </summary>
public sealed class PairwiseTrainer
{
    private readonly PairwiseTrainerOptions _options;

    /// <summary>Creates a trainer; the options are checked now.</summary>
    public PairwiseTrainer(PairwiseTrainerOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>The trainer's hyperparameters.</summary>
    public PairwiseTrainerOptions Options => _options;

    /// <summary>
    /// Trains a new head on <paramref name="train"/>. When <paramref name="validation"/> is null, a prompt-grouped
    /// <see cref="PairwiseTrainerOptions.ValidationFraction"/> of <paramref name="train"/> is held out for early stopping.
    /// </summary>
    public TrainingResult Fit(PairwiseDataset train, PairwiseDataset? validation = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        var head = _options.Head.Create(train.Dimension, _options.Seed);
        (train, validation) = HoldOutValidation(train, validation);
        if (head is IDataInitializedHead initialized)
        {
            initialized.Initialize(train, SeededRandom.Derive(_options.Seed, 2));
        }

        return Fit(head, train, validation, progress, cancellationToken);
    }

    /// <summary>Continues training <paramref name="head"/> (its parameters are updated in place).</summary>
    public TrainingResult Fit(RewardHead head, PairwiseDataset train, PairwiseDataset? validation, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("the training set has no pairs", nameof(train));
        }

        if (head.InputDimension != train.Dimension)
        {
            throw new ArgumentException($"the head takes {head.InputDimension} features but the data has {train.Dimension}", nameof(head));
        }

        (train, validation) = HoldOutValidation(train, validation);
        train.ValidateColumns();

        if (_options.Optimizer == PairwiseOptimizer.FullBatchLbfgs)
        {
            if (train.Weights is not null || train.Margins is not null)
            {
                throw new ArgumentException("full-batch L-BFGS does not take per-pair weights or margins; use mini-batch training", nameof(train));
            }

            if (head is not LinearRewardHead linear)
            {
                throw new ArgumentException($"full-batch L-BFGS trains only a linear head, not {head.GetType().Name}", nameof(head));
            }

            var (fullBatchHistory, lastEpoch) = new FullBatchLinearTrainer(_options.Lbfgs, _options.LabelSmoothing, _options.EffectiveParallelism)
                .Fit(linear, train, validation, progress, cancellationToken);
            return new TrainingResult(head, fullBatchHistory, lastEpoch, false, train.Count, validation?.Count ?? 0);
        }

        var optimizer = new AdamW(head.Parameters.Length, new AdamWOptions { LearningRate = _options.LearningRate, WeightDecay = _options.WeightDecay });
        var random = new SeededRandom(SeededRandom.Derive(_options.Seed, 1));
        var order = Enumerable.Range(0, train.Count).ToArray();
        var stepper = new BatchStepper(head, _options.BatchSize, _options.EffectiveParallelism, _options.LabelSmoothing, _options.CenterRewardsCoefficient);
        var history = new List<EpochReport>();
        float[]? best = null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        bool stoppedEarly = false;

        for (int epoch = 1; epoch <= _options.MaxEpochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            random.Shuffle<int>(order);
            double lossSum = 0;
            for (int start = 0; start < order.Length; start += _options.BatchSize)
            {
                double batchLoss = stepper.Step(train, order, start, Math.Min(_options.BatchSize, order.Length - start));
                // The batch loss is free to check and turns non-finite one batch after any weight does, so a diverging
                // run stops within a batch instead of training (and early-stopping) on NaN.
                TrainingDivergedException.ThrowIfNotFinite(batchLoss, $"training loss of epoch {epoch}, batch {(start / _options.BatchSize) + 1}");
                lossSum += batchLoss;
                optimizer.Step(head.Parameters, stepper.Gradient, _options.EffectiveParallelism);
            }

            TrainingDivergedException.ThrowIfNotFinite(head.Parameters, $"head after epoch {epoch}");
            double trainLoss = lossSum / train.Count;
            (double validLoss, double validAccuracy) = validation is null ? (double.NaN, double.NaN) : Measure(head, validation, _options.LabelSmoothing);
            if (validation is not null)
            {
                TrainingDivergedException.ThrowIfNotFinite(validLoss, $"validation loss after epoch {epoch}");
            }

            var report = new EpochReport(epoch, trainLoss, validLoss, validAccuracy, clock.Elapsed);
            history.Add(report);
            progress?.Report(report);

            if (validation is null)
            {
                bestEpoch = epoch;
                continue;
            }

            if (validLoss < bestLoss)
            {
                bestLoss = validLoss;
                bestEpoch = epoch;
                best = (float[])head.Parameters.Clone();
                sinceBest = 0;
            }
            else if (++sinceBest >= _options.Patience)
            {
                stoppedEarly = epoch < _options.MaxEpochs;
                break;
            }
        }

        best?.CopyTo(head.Parameters, 0);
        return new TrainingResult(head, history, bestEpoch, stoppedEarly, train.Count, validation?.Count ?? 0);
    }

    /// <summary>Holds out a prompt-grouped validation share of <paramref name="train"/> when no validation set is given.</summary>
    private (PairwiseDataset Train, PairwiseDataset? Validation) HoldOutValidation(PairwiseDataset train, PairwiseDataset? validation)
    {
        if (validation is null && _options.ValidationFraction > 0 && train.Count > 0)
        {
            var (trainIdx, validIdx) = train.GroupSplit(_options.ValidationFraction, _options.Seed);
            if (validIdx.Length > 0 && trainIdx.Length > 0)
            {
                return (train.Subset(trainIdx), train.Subset(validIdx));
            }
        }

        return (train, validation);
    }

    /// <summary>Mean Bradley–Terry loss and pairwise accuracy (ties count half) of <paramref name="head"/> on <paramref name="data"/>.</summary>
    public static (double Loss, double Accuracy) Measure(RewardHead head, PairwiseDataset data, double labelSmoothing = 0)
    {
        var chosen = new float[data.Count];
        var rejected = new float[data.Count];
        head.Score(data.Chosen, chosen);
        head.Score(data.Rejected, rejected);
        double loss = 0, correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            double margin = chosen[i] - rejected[i];
            loss += BradleyTerry.Loss(margin, labelSmoothing).Loss;
            correct += margin > 0 ? 1 : margin == 0 ? 0.5 : 0;
        }

        return (loss / data.Count, correct / data.Count);
    }

    /// <summary>
    /// Computes one batch's loss and mean gradient, sharded over threads with a fixed-order reduction. Every buffer is made
    /// once and reused, so a step allocates nothing in proportion to the batch or the model.
    /// </summary>
    private sealed class BatchStepper
    {
        /// <summary>Gradient elements one thread reduces at a time: 64 K floats.</summary>
        private const int ReduceChunkLength = 1 << 16;

        /// <summary>Least work per shard (multiply-adds per batch): 2 M, tens of microseconds of a core, well above the cost of waking a thread.</summary>
        private const long MinMultiplyAddsPerShard = 1 << 21;

        private readonly PairBatchGradient[] _shards;
        private readonly double _labelSmoothing;
        private readonly double _centerCoefficient;
        private readonly ParallelOptions _parallel;
        private readonly Action<int> _runShard;
        private readonly Action<int> _reduceChunk;
        private PairwiseDataset? _data;
        private int[] _order = [];
        private int _start, _count, _perShard, _used;
        private float _scale;

        public BatchStepper(RewardHead head, int batchSize, int parallelism, double labelSmoothing, double centerCoefficient)
        {
            _labelSmoothing = labelSmoothing;
            _centerCoefficient = centerCoefficient;
            // A shard must have enough work to repay waking a thread: small heads (a linear head on a few hundred features)
            // run in one shard. The count depends only on the configuration, so results stay reproducible.
            long multiplyAdds = (long)batchSize * head.Parameters.Length;
            int worthwhile = (int)Math.Clamp(multiplyAdds / MinMultiplyAddsPerShard, 1, int.MaxValue);
            int shardCount = Math.Max(1, Math.Min(Math.Min(parallelism, batchSize), worthwhile));
            int shardPairs = (batchSize + shardCount - 1) / shardCount;
            _shards = [.. Enumerable.Range(0, shardCount).Select(_ => new PairBatchGradient(head, shardPairs))];
            _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) };
            _runShard = RunShard;
            _reduceChunk = ReduceChunk;
            Gradient = _shards[0].Gradient;
        }

        /// <summary>Mean gradient of the last batch (aliases shard 0's buffer).</summary>
        public float[] Gradient { get; }

        /// <summary>Loss summed over the pairs order[start .. start + count), and their mean gradient in <see cref="Gradient"/>.</summary>
        public double Step(PairwiseDataset data, int[] order, int start, int count)
        {
            _data = data;
            _order = order;
            _start = start;
            _count = count;
            _perShard = (count + _shards.Length - 1) / _shards.Length;
            _used = (count + _perShard - 1) / _perShard;
            _scale = 1f / count;
            if (_used == 1)
            {
                RunShard(0);
            }
            else
            {
                Parallel.For(0, _used, _parallel, _runShard);
                Parallel.For(0, (Gradient.Length + ReduceChunkLength - 1) / ReduceChunkLength, _parallel, _reduceChunk);
            }

            double loss = _shards[0].Loss;
            for (int s = 1; s < _used; s++)
            {
                loss += _shards[s].Loss;
            }

            return loss;
        }

        private void RunShard(int s)
        {
            int first = s * _perShard;
            _shards[s].Compute(_data!, _order.AsSpan(_start + first, Math.Min(_perShard, _count - first)), _scale, _labelSmoothing, _centerCoefficient);
        }

        /// <summary>Adds the other shards' gradients into shard 0's, in shard order, over one chunk of the parameters.</summary>
        private void ReduceChunk(int chunk)
        {
            int offset = chunk * ReduceChunkLength;
            int length = Math.Min(ReduceChunkLength, Gradient.Length - offset);
            var total = Gradient.AsSpan(offset, length);
            for (int s = 1; s < _used; s++)
            {
                TensorPrimitives.Add(total, _shards[s].Gradient.AsSpan(offset, length), total);
            }
        }
    }
}

/// <summary>What one epoch achieved.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches.</param>
/// <param name="ValidationLoss">Validation loss after the epoch (NaN without validation).</param>
/// <param name="ValidationAccuracy">Validation pairwise accuracy after the epoch (NaN without validation).</param>
/// <param name="Elapsed">Wall time of the epoch.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy, TimeSpan Elapsed);

/// <summary>The trained head and how training went.</summary>
/// <param name="Head">The head with the best epoch's weights.</param>
/// <param name="History">One report per epoch run.</param>
/// <param name="BestEpoch">The epoch whose weights were kept.</param>
/// <param name="StoppedEarly">True when patience ran out before the last epoch.</param>
/// <param name="TrainPairs">Pairs trained on (after any validation hold-out).</param>
/// <param name="ValidationPairs">Pairs used for early stopping.</param>
public sealed record TrainingResult(RewardHead Head, IReadOnlyList<EpochReport> History, int BestEpoch, bool StoppedEarly, int TrainPairs, int ValidationPairs);
