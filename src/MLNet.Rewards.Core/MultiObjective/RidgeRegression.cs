using System.Numerics.Tensors;
using MLNet.Rewards.Kernels;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// Ridge regression without intercept (ArmoRM stage 1): w = argmin Σ_i (w·x_i − y_i)² + λ‖w‖², over the rows whose target
/// is not NaN (a missing rating masks that row for this attribute only). Solved in closed form with a Cholesky solve:
/// the primal (XᵀX + λI) w = Xᵀy when there are at least as many rows as features, otherwise the equivalent dual
/// w = Xᵀ(XXᵀ + λI)⁻¹y, whose system is only rows x rows.
/// </summary>
internal static class RidgeRegression
{
    /// <summary>The ridge weights for penalty <paramref name="penalty"/> on the rows of <paramref name="features"/> whose target is not NaN.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, the penalty is not positive, or no row has a target.</exception>
    public static float[] Solve(FloatMatrix features, ReadOnlySpan<float> targets, double penalty)
    {
        CheckSizes(features, targets);
        var rows = LabelledRows(targets, Enumerable.Range(0, features.Rows));
        return new GramSystem(features, targets, rows).Solve(penalty);
    }

    /// <summary>
    /// Fits one attribute: picks the penalty from <see cref="RidgeOptions.Penalties"/> by the mean squared error on a
    /// validation split grouped by <paramref name="groups"/> (rows of one prompt stay on one side), then refits on every
    /// labelled row with that penalty.
    /// </summary>
    public static RidgeFit Fit(FloatMatrix features, ReadOnlySpan<float> targets, ReadOnlySpan<ulong> groups, RidgeOptions options)
    {
        options.Validate();
        CheckSizes(features, targets);
        if (groups.Length != features.Rows)
        {
            throw new ArgumentException($"{groups.Length} group keys for {features.Rows} rows", nameof(groups));
        }

        var (trainAll, validationAll) = PairwiseDataset.GroupSplitOf(groups, options.ValidationFraction, options.Seed);
        var train = LabelledRows(targets, trainAll);
        var validation = LabelledRows(targets, validationAll);
        var all = LabelledRows(targets, Enumerable.Range(0, features.Rows));
        double best = options.Penalties[^1];
        double bestError = double.NaN;
        if (train.Length > 0 && validation.Length > 0)
        {
            var system = new GramSystem(features, targets, train);
            bestError = double.PositiveInfinity;
            foreach (double penalty in options.Penalties)
            {
                double error = MeanSquaredError(features, targets, validation, system.Solve(penalty));
                if (error < bestError)
                {
                    bestError = error;
                    best = penalty;
                }
            }
        }

        var weights = new GramSystem(features, targets, all).Solve(best);
        TrainingDivergedException.ThrowIfNotFinite(weights, $"ridge regression (penalty {best})");
        return new RidgeFit(weights, best, Math.Sqrt(bestError), StandardDeviation(targets, validation), all.Length, validation.Length);
    }

    /// <summary>Mean squared error of <paramref name="weights"/> on the given rows.</summary>
    private static double MeanSquaredError(FloatMatrix features, ReadOnlySpan<float> targets, int[] rows, float[] weights)
    {
        double sum = 0;
        foreach (int i in rows)
        {
            double error = TensorPrimitives.Dot(features.Row(i), weights) - targets[i];
            sum += error * error;
        }

        return sum / rows.Length;
    }

    /// <summary>Standard deviation of the targets of <paramref name="rows"/>: the RMSE of always predicting their mean.</summary>
    private static double StandardDeviation(ReadOnlySpan<float> targets, int[] rows)
    {
        if (rows.Length == 0)
        {
            return double.NaN;
        }

        double mean = 0;
        foreach (int i in rows)
        {
            mean += targets[i];
        }

        mean /= rows.Length;
        double sum = 0;
        foreach (int i in rows)
        {
            sum += (targets[i] - mean) * (targets[i] - mean);
        }

        return Math.Sqrt(sum / rows.Length);
    }

    private static int[] LabelledRows(ReadOnlySpan<float> targets, IEnumerable<int> candidates)
    {
        var rows = new List<int>();
        foreach (int i in candidates)
        {
            if (!float.IsNaN(targets[i]))
            {
                rows.Add(i);
            }
        }

        return [.. rows];
    }

    private static void CheckSizes(FloatMatrix features, ReadOnlySpan<float> targets)
    {
        if (targets.Length != features.Rows)
        {
            throw new ArgumentException($"{features.Rows} feature rows but {targets.Length} targets");
        }
    }

    /// <summary>The Gram matrix of a set of rows (primal or dual, whichever is smaller) and its right side, reused across penalties.</summary>
    private sealed class GramSystem
    {
        private readonly FloatMatrix _features;
        private readonly int[] _rows;
        private readonly double[] _gram;
        private readonly double[] _rightSide;
        private readonly bool _dual;

        public GramSystem(FloatMatrix features, ReadOnlySpan<float> targets, int[] rows)
        {
            if (rows.Length == 0)
            {
                throw new ArgumentException("no row has a target (every rating is missing)");
            }

            _features = features;
            _rows = rows;
            int d = features.Columns;
            _dual = rows.Length < d;
            if (_dual)
            {
                int n = rows.Length;
                _gram = new double[n * n];
                _rightSide = new double[n];
                for (int a = 0; a < n; a++)
                {
                    var rowA = features.Row(rows[a]);
                    _rightSide[a] = targets[rows[a]];
                    for (int b = 0; b <= a; b++)
                    {
                        _gram[(a * n) + b] = TensorPrimitives.Dot(rowA, features.Row(rows[b]));
                    }
                }
            }
            else
            {
                // XᵀX accumulated row by row in float (one rank-1 update per row), then widened.
                var gram = new float[d * d];
                var right = new float[d];
                foreach (int i in rows)
                {
                    var x = features.Row(i);
                    TensorPrimitives.MultiplyAdd(x, targets[i], right, right);
                    for (int a = 0; a < d; a++)
                    {
                        if (x[a] != 0f)
                        {
                            var target = gram.AsSpan(a * d, a + 1);
                            TensorPrimitives.MultiplyAdd(x[..(a + 1)], x[a], target, target);
                        }
                    }
                }

                _gram = [.. gram.Select(v => (double)v)];
                _rightSide = [.. right.Select(v => (double)v)];
            }
        }

        public float[] Solve(double penalty)
        {
            if (!(penalty > 0) || !double.IsFinite(penalty))
            {
                throw new ArgumentOutOfRangeException(nameof(penalty), penalty, "the ridge penalty must be a positive number");
            }

            int n = _rightSide.Length;
            var system = (double[])_gram.Clone();
            for (int i = 0; i < n; i++)
            {
                system[(i * n) + i] += penalty;
            }

            var solution = Cholesky.Solve(system, _rightSide);
            if (!_dual)
            {
                return [.. solution.Select(v => (float)v)];
            }

            // w = Xᵀ α
            var weights = new float[_features.Columns];
            for (int a = 0; a < _rows.Length; a++)
            {
                TensorPrimitives.MultiplyAdd(_features.Row(_rows[a]), (float)solution[a], weights, weights);
            }

            return weights;
        }
    }
}

/// <summary>Settings of <see cref="RidgeRegression.Fit"/>.</summary>
public sealed record RidgeOptions
{
    /// <summary>The candidate penalties λ; the default is 13 values log-spaced from 1e-3 to 1e3.</summary>
    public IReadOnlyList<double> Penalties { get; init; } = LogSpaced(1e-3, 1e3, 13);

    /// <summary>Share of prompts held out to pick the penalty.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seed of the validation split.</summary>
    public long Seed { get; init; }

    /// <summary><paramref name="count"/> values from <paramref name="low"/> to <paramref name="high"/>, evenly spaced in log scale.</summary>
    public static double[] LogSpaced(double low, double high, int count)
    {
        if (!(low > 0) || !(high >= low) || count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"a log-spaced grid needs 0 < low <= high and at least one value (got {low}, {high}, {count})");
        }

        return count == 1 ? [low] : [.. Enumerable.Range(0, count).Select(i => Math.Exp(Math.Log(low) + ((Math.Log(high) - Math.Log(low)) * i / (count - 1))))];
    }

    /// <summary>Checks the options, naming the one that is out of range.</summary>
    public void Validate()
    {
        OptionValidation.Require(Penalties.Count > 0 && Penalties.All(p => p > 0 && double.IsFinite(p)), nameof(Penalties), string.Join(",", Penalties), "must list at least one positive, finite value");
        OptionValidation.Require(ValidationFraction is > 0 and < 1, nameof(ValidationFraction), ValidationFraction, "must be in (0, 1)");
    }
}

/// <summary>The result of fitting one attribute.</summary>
/// <param name="Weights">The ridge weights (no intercept).</param>
/// <param name="Penalty">The penalty picked on the validation split.</param>
/// <param name="ValidationRmse">Root mean squared error on the validation split at that penalty (NaN when there was no split).</param>
/// <param name="ValidationTargetStd">Standard deviation of the validation targets: the error of always predicting their mean, for comparison.</param>
/// <param name="Rows">Labelled rows of the final fit.</param>
/// <param name="ValidationRows">Labelled rows used to pick the penalty.</param>
internal sealed record RidgeFit(float[] Weights, double Penalty, double ValidationRmse, double ValidationTargetStd, int Rows, int ValidationRows);
