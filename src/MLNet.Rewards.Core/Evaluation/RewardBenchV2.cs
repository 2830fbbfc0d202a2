namespace MLNet.Rewards.Evaluation;

/// <summary>
/// RewardBench v2's best-of-N rule: each item has one correct response (the first score) and incorrect ones (the
/// rest, three in v2). An item scores 1 when the correct response's score is strictly the highest, 1/k when it ties
/// with k − 1 others at the maximum, and 0 otherwise. Reported per subset (mean item score with a bootstrap 95%
/// interval) and as the headline, the plain mean of the subset scores.
/// </summary>
public sealed class RewardBenchV2
{
    private readonly PairwiseEvaluator _evaluator;

    /// <summary>Creates a scorer.</summary>
    public RewardBenchV2(EvaluationOptions? options = null)
    {
        _evaluator = new PairwiseEvaluator(options);
    }

    /// <summary>The score of one item: 1 if <c>scores[0]</c> is strictly highest, 1/k if it ties with k − 1 others at the maximum, else 0.</summary>
    /// <exception cref="ArgumentException">Fewer than two scores, or a score that is not finite.</exception>
    public static double ItemScore(IReadOnlyList<float> scores)
    {
        if (scores.Count < 2)
        {
            throw new ArgumentException($"an item needs a correct and at least one incorrect score, found {scores.Count}");
        }

        if (scores.Any(s => !float.IsFinite(s)))
        {
            throw new ArgumentException("an item's scores must be finite");
        }

        float correct = scores[0];
        int atMaximum = 1;
        for (int i = 1; i < scores.Count; i++)
        {
            if (scores[i] > correct)
            {
                return 0;
            }

            if (scores[i] == correct)
            {
                atMaximum++;
            }
        }

        return 1.0 / atMaximum;
    }

    /// <summary>Scores items grouped by subset.</summary>
    public RewardBenchV2Report Score(IReadOnlyList<ItemScores> items)
    {
        var subsets = items
            .GroupBy(item => item.Subset, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => (group.Key, _evaluator.Summarize([.. group.Select(item => ItemScore(item.Scores))], group.Key)))
            .ToList();
        double headline = subsets.Count == 0 ? double.NaN : subsets.Average(s => s.Item2.Accuracy);
        return new RewardBenchV2Report(headline, subsets.ToDictionary(s => s.Key, s => s.Item2, StringComparer.Ordinal));
    }
}

/// <summary>Everything <see cref="RewardBenchV2"/> measures.</summary>
/// <param name="Headline">Plain mean of the subset scores (NaN with no items).</param>
/// <param name="Subsets">Mean item score per subset with its bootstrap 95% interval.</param>
public sealed record RewardBenchV2Report(double Headline, IReadOnlyDictionary<string, AccuracySummary> Subsets);
