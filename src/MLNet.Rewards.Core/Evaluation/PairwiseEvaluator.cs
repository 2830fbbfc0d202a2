using MLNet.Rewards.Data;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Evaluation;

/// <summary>
/// Scores a reward model's rewards on preference pairs: pairwise accuracy (ties count half) with a bootstrap 95% interval,
/// overall and per source; Bradley–Terry log-loss; expected calibration error; the Spearman correlation of reward
/// with response length in characters (the verbosity bias); and accuracy split by whether the chosen response is the
/// longer or the shorter one, whose mean no rule that only looks at length can move from 0.5.
/// </summary>
public sealed class PairwiseEvaluator
{
    /// <summary>Creates an evaluator.</summary>
    public PairwiseEvaluator(EvaluationOptions? options = null)
    {
        Options = options ?? new EvaluationOptions();
    }

    /// <summary>Bootstrap and binning settings.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Evaluates rewards given for the chosen and the rejected response of each pair.</summary>
    public EvaluationReport Evaluate(IReadOnlyList<PreferencePair> pairs, ReadOnlySpan<float> chosenRewards, ReadOnlySpan<float> rejectedRewards)
    {
        if (chosenRewards.Length != pairs.Count || rejectedRewards.Length != pairs.Count)
        {
            throw new ArgumentException($"{pairs.Count} pairs but {chosenRewards.Length} chosen and {rejectedRewards.Length} rejected rewards");
        }

        int n = pairs.Count;
        var correct = new double[n];
        var probabilities = new double[n];
        double logLoss = 0;
        for (int i = 0; i < n; i++)
        {
            double margin = chosenRewards[i] - rejectedRewards[i];
            correct[i] = margin > 0 ? 1 : margin == 0 ? 0.5 : 0;
            probabilities[i] = BradleyTerry.Probability(margin);
            logLoss += BradleyTerry.Loss(margin).Loss;
        }

        var lengths = new double[2 * n];
        var rewards = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = pairs[i].Chosen.Length;
            lengths[n + i] = pairs[i].Rejected.Length;
            rewards[i] = chosenRewards[i];
            rewards[n + i] = rejectedRewards[i];
        }

        var perSource = new SortedDictionary<string, AccuracySummary>(StringComparer.Ordinal);
        foreach (var group in Enumerable.Range(0, n).GroupBy(i => pairs[i].Source))
        {
            var values = group.Select(i => correct[i]).ToArray();
            perSource[group.Key] = Summarize(values, group.Key);
        }

        return new EvaluationReport(
            Summarize(correct, "all"),
            n == 0 ? double.NaN : logLoss / n,
            ExpectedCalibrationError(probabilities, Options.CalibrationBins),
            Statistics.Spearman(rewards, lengths),
            perSource,
            StratifyByLength(pairs, correct));
    }

    private LengthStrata StratifyByLength(IReadOnlyList<PreferencePair> pairs, double[] correct)
    {
        var longer = new List<double>();
        var shorter = new List<double>();
        for (int i = 0; i < pairs.Count; i++)
        {
            int difference = pairs[i].Chosen.Length - pairs[i].Rejected.Length;
            if (difference > 0)
            {
                longer.Add(correct[i]);
            }
            else if (difference < 0)
            {
                shorter.Add(correct[i]);
            }
        }

        return new LengthStrata(Summarize([.. longer], "chosen longer"), Summarize([.. shorter], "chosen shorter"));
    }

    /// <summary>Pairwise accuracy with its bootstrap interval, from rewards alone (for data without texts, such as the synthetic benchmark).</summary>
    public AccuracySummary Accuracy(ReadOnlySpan<float> chosenRewards, ReadOnlySpan<float> rejectedRewards)
    {
        var correct = new double[chosenRewards.Length];
        for (int i = 0; i < correct.Length; i++)
        {
            float margin = chosenRewards[i] - rejectedRewards[i];
            correct[i] = margin > 0 ? 1 : margin == 0 ? 0.5 : 0;
        }

        return Summarize(correct, "all");
    }

    /// <summary>
    /// Top-label expected calibration error: predictions binned by confidence max(p, 1 − p); the count-weighted mean gap
    /// between each bin's mean confidence and its accuracy. The chosen response is always the correct answer here.
    /// </summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<double> chosenProbabilities, int bins)
    {
        if (chosenProbabilities.Length == 0)
        {
            return double.NaN;
        }

        var confidenceSum = new double[bins];
        var correctSum = new double[bins];
        var count = new int[bins];
        foreach (double p in chosenProbabilities)
        {
            double confidence = Math.Max(p, 1 - p);
            int bin = Math.Min(bins - 1, (int)((confidence - 0.5) * 2 * bins));
            confidenceSum[bin] += confidence;
            correctSum[bin] += p > 0.5 ? 1 : p == 0.5 ? 0.5 : 0;
            count[bin]++;
        }

        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                ece += Math.Abs((confidenceSum[b] - correctSum[b]) / count[b]) * count[b] / chosenProbabilities.Length;
            }
        }

        return ece;
    }

    /// <summary>
    /// Accuracy of per-item outcomes (1 correct, 0 wrong, or partial credit) with its seeded bootstrap 95% interval; the
    /// bootstrap seed mixes <see cref="EvaluationOptions.Seed"/> with <paramref name="name"/>, so each group resamples independently.
    /// </summary>
    public AccuracySummary Summarize(double[] correct, string name)
    {
        double accuracy = correct.Length == 0 ? double.NaN : correct.Average();
        var (low, high) = Statistics.BootstrapMeanInterval(correct, Options.BootstrapSamples, Options.Seed ^ (long)StableHash.Of(name));
        return new AccuracySummary(correct.Length, accuracy, low, high);
    }
}

/// <summary>Settings of <see cref="PairwiseEvaluator"/>.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Bootstrap resamples for accuracy intervals.</summary>
    public int BootstrapSamples { get; init; } = 1000;

    /// <summary>Seed of the bootstrap.</summary>
    public long Seed { get; init; } = 17;

    /// <summary>Confidence bins for the calibration error.</summary>
    public int CalibrationBins { get; init; } = 10;
}

/// <summary>Accuracy over a set of pairs with its bootstrap 95% interval.</summary>
/// <param name="Count">Pairs.</param>
/// <param name="Accuracy">Share of pairs where the chosen response got the higher reward (ties count half).</param>
/// <param name="Low">Lower end of the 95% interval.</param>
/// <param name="High">Upper end of the 95% interval.</param>
public sealed record AccuracySummary(int Count, double Accuracy, double Low, double High);

/// <summary>Everything <see cref="PairwiseEvaluator"/> measures.</summary>
/// <param name="Overall">Accuracy over all pairs.</param>
/// <param name="LogLoss">Mean Bradley–Terry log-loss.</param>
/// <param name="CalibrationError">Expected calibration error of σ(r_c − r_r).</param>
/// <param name="LengthSpearman">Spearman correlation between reward and response length (chosen and rejected responses pooled).</param>
/// <param name="PerSource">Accuracy per source.</param>
/// <param name="ByLength">Accuracy on the pairs whose chosen response is the longer one and on those where it is the shorter one.</param>
public sealed record EvaluationReport(AccuracySummary Overall, double LogLoss, double CalibrationError, double LengthSpearman, IReadOnlyDictionary<string, AccuracySummary> PerSource, LengthStrata ByLength);

/// <summary>
/// Accuracy split by response length in characters (pairs of equal length are in neither part). "The longer response
/// wins" scores 1 on the first part and 0 on the second, and any rule that only looks at length averages 0.5 over the
/// two, so <see cref="MeanAccuracy"/> shows what a reward knows beyond length whatever share of a set's chosen
/// responses are the longer ones.
/// </summary>
/// <param name="ChosenLonger">Accuracy on the pairs whose chosen response is the longer one.</param>
/// <param name="ChosenShorter">Accuracy on the pairs whose chosen response is the shorter one.</param>
public sealed record LengthStrata(AccuracySummary ChosenLonger, AccuracySummary ChosenShorter)
{
    /// <summary>Mean of the two parts' accuracies (NaN when either part is empty).</summary>
    public double MeanAccuracy => (ChosenLonger.Accuracy + ChosenShorter.Accuracy) / 2;
}
