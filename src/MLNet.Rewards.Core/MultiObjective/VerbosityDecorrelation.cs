using System.Text.Json.Serialization;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;

namespace MLNet.Rewards.MultiObjective;

/// <summary>How the length of a response is measured.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LengthMeasure>))]
public enum LengthMeasure
{
    /// <summary>UTF-16 characters.</summary>
    Characters,

    /// <summary>Words: runs of letters and digits, as the hashing featurizer tokenizes.</summary>
    Words,
}

/// <summary>Length measurement.</summary>
internal static class LengthMeasures
{
    /// <summary>The length of <paramref name="response"/> in <paramref name="measure"/>.</summary>
    public static float Of(this LengthMeasure measure, string response) => measure switch
    {
        LengthMeasure.Characters => response.Length,
        LengthMeasure.Words => HashingTextEmbedder.Tokenize(response).Count,
        _ => throw new ArgumentOutOfRangeException(nameof(measure), measure, "unknown length measure"),
    };
}

/// <summary>
/// ArmoRM's verbosity decorrelation: for an objective r and a verbosity signal v, finds λ such that the Spearman
/// correlation between r − λ·v and v is at most a bound in absolute value on a reference set. Spearman(r − λv, v) falls
/// from its value at λ = 0 towards −1 as λ grows (towards +1 as λ falls), so λ is found by bracketing and bisection.
/// </summary>
internal static class VerbosityDecorrelation
{
    private const int MaxBracketDoublings = 60;
    private const int MaxBisections = 80;

    /// <summary>
    /// The λ with the smallest |Spearman(r − λv, v)| found, stopping as soon as it is at most a quarter of
    /// <paramref name="maxAbsSpearman"/>; 0 when the correlation is already within the bound (or undefined, for a constant input).
    /// </summary>
    public static DecorrelationResult FindLambda(ReadOnlySpan<double> rewards, ReadOnlySpan<double> verbosity, double maxAbsSpearman)
    {
        if (rewards.Length != verbosity.Length)
        {
            throw new ArgumentException($"{rewards.Length} rewards but {verbosity.Length} verbosity values");
        }

        if (!(maxAbsSpearman > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxAbsSpearman), maxAbsSpearman, "the correlation bound must be positive");
        }

        var r = rewards.ToArray();
        var v = verbosity.ToArray();
        var shifted = new double[r.Length];
        double Correlation(double lambda)
        {
            for (int i = 0; i < r.Length; i++)
            {
                shifted[i] = r[i] - (lambda * v[i]);
            }

            return Statistics.Spearman(shifted, v);
        }

        double initial = Correlation(0);
        if (double.IsNaN(initial) || Math.Abs(initial) <= maxAbsSpearman)
        {
            return new DecorrelationResult(0, initial, initial);
        }

        double sign = Math.Sign(initial);
        double step = Math.Max(StandardDeviation(r) / Math.Max(StandardDeviation(v), double.Epsilon), 1e-12);
        double low = 0, high = sign * step;
        double bestLambda = 0, bestCorrelation = initial;
        double target = maxAbsSpearman / 4;
        for (int doubling = 0; doubling < MaxBracketDoublings; doubling++)
        {
            double c = Correlation(high);
            Track(high, c, ref bestLambda, ref bestCorrelation);
            if (sign * c <= target)
            {
                break;
            }

            low = high;
            high *= 2;
        }

        for (int i = 0; i < MaxBisections && Math.Abs(bestCorrelation) > target; i++)
        {
            double middle = (low + high) / 2;
            double c = Correlation(middle);
            Track(middle, c, ref bestLambda, ref bestCorrelation);
            if (sign * c > target)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return new DecorrelationResult(bestLambda, initial, bestCorrelation);
    }

    private static void Track(double lambda, double correlation, ref double bestLambda, ref double bestCorrelation)
    {
        if (Math.Abs(correlation) < Math.Abs(bestCorrelation))
        {
            bestLambda = lambda;
            bestCorrelation = correlation;
        }
    }

    private static double StandardDeviation(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Sum(x => (x - mean) * (x - mean)) / values.Length);
    }
}

/// <summary>The outcome of <see cref="VerbosityDecorrelation.FindLambda"/>.</summary>
/// <param name="Lambda">The coefficient λ subtracted per unit of verbosity.</param>
/// <param name="SpearmanBefore">Spearman(r, v) on the reference set.</param>
/// <param name="SpearmanAfter">Spearman(r − λv, v) on the reference set.</param>
internal sealed record DecorrelationResult(double Lambda, double SpearmanBefore, double SpearmanAfter);
