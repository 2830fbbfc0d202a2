using MLNet.Rewards.Data;

namespace MLNet.Rewards.Evaluation;

/// <summary>
/// RewardBench v1 scoring of pairwise rewards: accuracy per subset (a pair's <c>source</c>) with a strict rule (chosen
/// must score above rejected; a tie is wrong), each section's score as its subsets' accuracies weighted by
/// <see cref="RewardBenchSections.WeightOf"/> (pair count unless the map fixes a weight), and the headline as the plain
/// mean of the sections that have pairs. Subsets no section names are reported apart and count in no section.
/// </summary>
public sealed class RewardBenchV1
{
    private readonly PairwiseEvaluator _evaluator;

    /// <summary>Creates a scorer over a section map (RewardBench v1's own when null).</summary>
    public RewardBenchV1(RewardBenchSections? sections = null, EvaluationOptions? options = null)
    {
        Sections = sections ?? RewardBenchSections.Default;
        _evaluator = new PairwiseEvaluator(options);
    }

    /// <summary>The subset-to-section map.</summary>
    public RewardBenchSections Sections { get; }

    /// <summary>Scores the chosen and rejected rewards of each pair, grouped by the pair's source.</summary>
    public RewardBenchV1Report Score(IReadOnlyList<PreferencePair> pairs, ReadOnlySpan<float> chosenRewards, ReadOnlySpan<float> rejectedRewards)
        => Score(ItemScores.FromPairs(pairs, chosenRewards, rejectedRewards));

    /// <summary>Scores items of exactly two scores each, <c>[chosen, rejected]</c>, grouped by subset.</summary>
    /// <exception cref="ArgumentException">An item does not have exactly two scores.</exception>
    public RewardBenchV1Report Score(IReadOnlyList<ItemScores> items)
    {
        foreach (var item in items)
        {
            if (item.Scores.Count != 2)
            {
                throw new ArgumentException($"item '{item.Id}' has {item.Scores.Count} scores; RewardBench v1 needs exactly 2 ([chosen, rejected])");
            }
        }

        var subsets = items
            .GroupBy(item => item.Subset, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group =>
            {
                var outcomes = group.Select(item => item.Scores[0] > item.Scores[1] ? 1.0 : 0.0).ToArray();
                var accuracy = _evaluator.Summarize(outcomes, group.Key);
                return new SubsetScore(group.Key, Sections.SectionOf(group.Key), accuracy, Sections.WeightOf(group.Key, outcomes.Length));
            })
            .ToList();

        var sections = new List<SectionScore>();
        foreach (string section in Sections.Sections)
        {
            var members = subsets.Where(s => s.Section == section).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            double weight = members.Sum(s => s.Weight);
            double score = members.Sum(s => s.Weight * s.Accuracy.Accuracy) / weight;
            sections.Add(new SectionScore(section, score, members.Sum(s => s.Accuracy.Count), members.Count));
        }

        double headline = sections.Count == 0 ? double.NaN : sections.Average(s => s.Score);
        return new RewardBenchV1Report(headline, sections, subsets, [.. subsets.Where(s => s.Section is null).Select(s => s.Subset)]);
    }
}

/// <summary>Accuracy of one subset.</summary>
/// <param name="Subset">The subset (pair source).</param>
/// <param name="Section">Its section, or null when no section names it.</param>
/// <param name="Accuracy">Strict accuracy (ties wrong) with its bootstrap 95% interval.</param>
/// <param name="Weight">Its weight within its section.</param>
public sealed record SubsetScore(string Subset, string? Section, AccuracySummary Accuracy, double Weight);

/// <summary>Score of one section.</summary>
/// <param name="Section">Section name.</param>
/// <param name="Score">Weighted mean of its subsets' accuracies.</param>
/// <param name="Pairs">Pairs in its subsets.</param>
/// <param name="Subsets">Subsets present.</param>
public sealed record SectionScore(string Section, double Score, int Pairs, int Subsets);

/// <summary>Everything <see cref="RewardBenchV1"/> measures.</summary>
/// <param name="Headline">Mean of the section scores present (NaN when no subset is in a section).</param>
/// <param name="Sections">Sections that have pairs, in the map's order.</param>
/// <param name="Subsets">Every subset in the data, in ordinal order, with or without a section.</param>
/// <param name="Unassigned">Subsets no section names; they count in no section and not in the headline.</param>
public sealed record RewardBenchV1Report(double Headline, IReadOnlyList<SectionScore> Sections, IReadOnlyList<SubsetScore> Subsets, IReadOnlyList<string> Unassigned);
