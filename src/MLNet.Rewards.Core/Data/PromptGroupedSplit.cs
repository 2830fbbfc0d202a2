namespace MLNet.Rewards.Data;

/// <summary>
/// Seeded splits that keep every pair of one prompt on the same side, so that no prompt leaks from training
/// into evaluation. Assignment depends only on the prompt text and the seed, not on the order of the pairs.
/// </summary>
public static class PromptGroupedSplit
{
    /// <summary>Splits <paramref name="pairs"/> into a training and a test part with about <paramref name="testFraction"/> of the prompts in test.</summary>
    public static (List<PreferencePair> Train, List<PreferencePair> Test) TrainTest(IEnumerable<PreferencePair> pairs, double testFraction, int seed)
    {
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be between 0 and 1 (exclusive)");
        }

        var train = new List<PreferencePair>();
        var test = new List<PreferencePair>();
        foreach (var pair in pairs)
        {
            (UnitInterval(pair.Prompt, seed) < testFraction ? test : train).Add(pair);
        }

        return (train, test);
    }

    /// <summary>The fold (0..<paramref name="folds"/>-1) of <paramref name="prompt"/> in a seeded prompt-grouped k-fold split.</summary>
    public static int FoldOf(string prompt, int folds, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        return (int)(StableHash.Of(prompt, seed) % (ulong)folds);
    }

    /// <summary>Prompt-grouped k-fold cross-validation: yields (train, test) for each fold.</summary>
    public static IEnumerable<(List<PreferencePair> Train, List<PreferencePair> Test)> KFold(IReadOnlyList<PreferencePair> pairs, int folds, int seed)
    {
        var assignment = pairs.Select(p => FoldOf(p.Prompt, folds, seed)).ToArray();
        for (int fold = 0; fold < folds; fold++)
        {
            var train = new List<PreferencePair>();
            var test = new List<PreferencePair>();
            for (int i = 0; i < pairs.Count; i++)
            {
                (assignment[i] == fold ? test : train).Add(pairs[i]);
            }

            yield return (train, test);
        }
    }

    private static double UnitInterval(string prompt, int seed) => (StableHash.Of(prompt, seed) >> 11) * (1.0 / (1UL << 53));
}
