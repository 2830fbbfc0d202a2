using System.Diagnostics;
using System.Numerics.Tensors;
using MLNet.Rewards.Heads;

namespace MLNet.Rewards.Training;

/// <summary>
/// Settings of full-batch L-BFGS training for the linear head (<see cref="PairwiseOptimizer.FullBatchLbfgs"/>, settings in <see cref="PairwiseTrainerOptions.Lbfgs"/>). It minimises
/// the same Bradley–Terry loss as mini-batch training, averaged over all pairs, plus an L2 penalty:
/// f(w) = (1/n) Σ_i loss(w · (c_i − r_i)) + (λ/2)·‖w‖².
/// </summary>
public sealed record LbfgsOptions
{
    /// <summary>
    /// λ of the L2 penalty. scikit-learn's LogisticRegression with C minimises the same objective scaled by n·C, so
    /// λ = 1 / (n·C) reproduces it.
    /// </summary>
    public double L2Regularization { get; init; } = 1e-4;

    /// <summary>Most iterations (each is one or a few passes over the data).</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>Stop when every component of the gradient is at most this.</summary>
    public double GradientTolerance { get; init; } = 1e-6;

    /// <summary>Correction pairs kept (the m of L-BFGS).</summary>
    public int History { get; init; } = 10;

    /// <summary>Checks the settings, naming the one that is out of range.</summary>
    public void Validate()
    {
        if (!(L2Regularization >= 0) || double.IsInfinity(L2Regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(L2Regularization), L2Regularization, $"{nameof(L2Regularization)} must be a non-negative number");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxIterations, 1, nameof(MaxIterations));
        if (!(GradientTolerance > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, $"{nameof(GradientTolerance)} must be positive");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(History, 1, nameof(History));
    }
}

/// <summary>
/// Full-batch L-BFGS for the linear head: the pair differences are formed once, then every iteration computes the exact
/// loss and gradient over all pairs, in fixed blocks spread over the cores and summed in block order (deterministic for any
/// number of threads). Each iteration is reported as an epoch.
/// </summary>
internal sealed class FullBatchLinearTrainer
{
    /// <summary>Pairs per block of the loss/gradient pass; fixed, so the reduction order never depends on the threads.</summary>
    private const int BlockRows = 1024;

    private readonly LbfgsOptions _settings;
    private readonly double _labelSmoothing;
    private readonly ParallelOptions _parallel;

    public FullBatchLinearTrainer(LbfgsOptions settings, double labelSmoothing, int parallelism)
    {
        _settings = settings;
        _labelSmoothing = labelSmoothing;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = parallelism };
    }

    public (List<EpochReport> History, int BestEpoch) Fit(LinearRewardHead head, PairwiseDataset train, PairwiseDataset? validation, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        int d = train.Dimension, n = train.Count;
        var differences = new FloatMatrix(n, d);
        Parallel.For(0, n, _parallel, i => TensorPrimitives.Subtract(train.Chosen.Row(i), train.Rejected.Row(i), differences.Row(i)));
        var objective = new Objective(differences, _settings.L2Regularization, _labelSmoothing, _parallel);

        var w = Array.ConvertAll(head.Parameters, x => (double)x);
        var gradient = new double[d];
        double loss = objective.Evaluate(w, gradient);
        TrainingDivergedException.ThrowIfNotFinite(loss, "initial L-BFGS loss");
        var history = new List<EpochReport>();
        var corrections = new CorrectionHistory(_settings.History, d);
        var direction = new double[d];
        var next = new double[d];
        var nextGradient = new double[d];
        var clock = Stopwatch.StartNew();
        for (int iteration = 1; iteration <= _settings.MaxIterations && MaxAbs(gradient) > _settings.GradientTolerance; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            corrections.Direction(gradient, direction);
            double slope = TensorPrimitives.Dot<double>(direction, gradient);
            if (slope >= 0)
            {
                // Not a descent direction (can happen after a poor curvature pair): restart from steepest descent.
                corrections.Clear();
                TensorPrimitives.Negate<double>(gradient, direction);
                slope = -TensorPrimitives.Dot<double>(gradient, gradient);
            }

            double step = iteration == 1 ? Math.Min(1.0, 1.0 / Math.Sqrt(-slope)) : 1.0;
            double nextLoss = double.NaN;
            for (int tries = 0; tries < 40; tries++)
            {
                TensorPrimitives.MultiplyAdd<double>(direction, step, w, next);
                nextLoss = objective.Evaluate(next, nextGradient);
                if (nextLoss <= loss + (1e-4 * step * slope))
                {
                    break;
                }

                step *= 0.5;
            }

            if (!(nextLoss <= loss))
            {
                break;
            }

            corrections.Add(w, next, gradient, nextGradient);
            (w, next) = (next, w);
            (gradient, nextGradient) = (nextGradient, gradient);
            bool converged = loss - nextLoss <= 1e-12 * Math.Max(1.0, Math.Abs(loss));
            loss = nextLoss;

            CopyTo(w, head.Parameters);
            var (validLoss, validAccuracy) = validation is null ? (double.NaN, double.NaN) : PairwiseTrainer.Measure(head, validation, _labelSmoothing);
            var report = new EpochReport(iteration, loss, validLoss, validAccuracy, clock.Elapsed);
            history.Add(report);
            progress?.Report(report);
            clock.Restart();
            if (converged)
            {
                break;
            }
        }

        CopyTo(w, head.Parameters);
        TrainingDivergedException.ThrowIfNotFinite(head.Parameters, "linear head after L-BFGS");
        if (history.Count == 0)
        {
            var (validLoss, validAccuracy) = validation is null ? (double.NaN, double.NaN) : PairwiseTrainer.Measure(head, validation, _labelSmoothing);
            history.Add(new EpochReport(1, loss, validLoss, validAccuracy, clock.Elapsed));
        }

        return (history, history.Count);
    }

    private static void CopyTo(double[] source, float[] destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = (float)source[i];
        }
    }

    private static double MaxAbs(double[] values) => TensorPrimitives.MaxMagnitude<double>(values) is var m ? Math.Abs(m) : 0;

    /// <summary>f(w) and ∇f(w) over all pairs, block-parallel with an in-order reduction.</summary>
    private sealed class Objective
    {
        private readonly FloatMatrix _differences;
        private readonly double _lambda;
        private readonly double _labelSmoothing;
        private readonly ParallelOptions _parallel;
        private readonly double[][] _blockGradients;
        private readonly double[] _blockLosses;
        private readonly float[] _weights;

        public Objective(FloatMatrix differences, double lambda, double labelSmoothing, ParallelOptions parallel)
        {
            _differences = differences;
            _lambda = lambda;
            _labelSmoothing = labelSmoothing;
            _parallel = parallel;
            int blocks = (differences.Rows + BlockRows - 1) / BlockRows;
            _blockGradients = [.. Enumerable.Range(0, blocks).Select(_ => new double[differences.Columns])];
            _blockLosses = new double[blocks];
            _weights = new float[differences.Columns];
        }

        public double Evaluate(double[] w, double[] gradient)
        {
            CopyTo(w, _weights);
            Parallel.For(0, _blockGradients.Length, _parallel, Block);
            int n = _differences.Rows;
            double loss = 0;
            Array.Clear(gradient);
            for (int b = 0; b < _blockGradients.Length; b++)
            {
                loss += _blockLosses[b];
                TensorPrimitives.Add<double>(gradient, _blockGradients[b], gradient);
            }

            TensorPrimitives.Multiply<double>(gradient, 1.0 / n, gradient);
            TensorPrimitives.MultiplyAdd<double>(w, _lambda, gradient, gradient);
            return (loss / n) + (0.5 * _lambda * TensorPrimitives.Dot<double>(w, w));
        }

        private void Block(int block)
        {
            int start = block * BlockRows;
            int end = Math.Min(start + BlockRows, _differences.Rows);
            int d = _differences.Columns;
            Span<float> partial = d <= 4096 ? stackalloc float[d] : new float[d];
            partial.Clear();
            double loss = 0;
            for (int i = start; i < end; i++)
            {
                var row = _differences.Row(i);
                var (pairLoss, slope) = BradleyTerry.Loss(TensorPrimitives.Dot(row, _weights), _labelSmoothing);
                loss += pairLoss;
                TensorPrimitives.MultiplyAdd(row, (float)slope, partial, partial);
            }

            var target = _blockGradients[block];
            for (int j = 0; j < d; j++)
            {
                target[j] = partial[j];
            }

            _blockLosses[block] = loss;
        }
    }

    /// <summary>The last m (s, y) pairs and the two-loop recursion that turns a gradient into a quasi-Newton direction.</summary>
    private sealed class CorrectionHistory(int capacity, int dimension)
    {
        private readonly double[][] _s = [.. Enumerable.Range(0, capacity).Select(_ => new double[dimension])];
        private readonly double[][] _y = [.. Enumerable.Range(0, capacity).Select(_ => new double[dimension])];
        private readonly double[] _rho = new double[capacity];
        private readonly double[] _alpha = new double[capacity];
        private int _count;
        private int _newest = -1;

        public void Clear() => _count = 0;

        public void Add(double[] w, double[] next, double[] gradient, double[] nextGradient)
        {
            int slot = (_newest + 1) % capacity;
            TensorPrimitives.Subtract<double>(next, w, _s[slot]);
            TensorPrimitives.Subtract<double>(nextGradient, gradient, _y[slot]);
            double sy = TensorPrimitives.Dot<double>(_s[slot], _y[slot]);
            if (sy <= 1e-12)
            {
                return; // no positive curvature along this step: keep the history as it was
            }

            _rho[slot] = 1.0 / sy;
            _newest = slot;
            _count = Math.Min(_count + 1, capacity);
        }

        public void Direction(double[] gradient, double[] direction)
        {
            gradient.CopyTo(direction, 0);
            for (int k = 0; k < _count; k++)
            {
                int i = ((_newest - k) % capacity + capacity) % capacity;
                _alpha[i] = _rho[i] * TensorPrimitives.Dot<double>(_s[i], direction);
                TensorPrimitives.MultiplyAdd<double>(_y[i], -_alpha[i], direction, direction);
            }

            if (_count > 0)
            {
                double yy = TensorPrimitives.Dot<double>(_y[_newest], _y[_newest]);
                TensorPrimitives.Multiply<double>(direction, 1.0 / (_rho[_newest] * yy), direction);
            }

            for (int k = _count - 1; k >= 0; k--)
            {
                int i = ((_newest - k) % capacity + capacity) % capacity;
                double beta = _rho[i] * TensorPrimitives.Dot<double>(_y[i], direction);
                TensorPrimitives.MultiplyAdd<double>(_s[i], _alpha[i] - beta, direction, direction);
            }

            TensorPrimitives.Negate<double>(direction, direction);
        }
    }
}
