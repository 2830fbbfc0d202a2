namespace MLNet.Rewards.Active;

/// <summary>Two distinct candidates to show a labeller, by index into the candidate list.</summary>
/// <param name="First">The first candidate.</param>
/// <param name="Second">The second candidate (never equal to <paramref name="First"/>).</param>
public readonly record struct CandidatePair(int First, int Second);

/// <summary>
/// Chooses which two of a prompt's candidate responses to ask a labeller to compare, from the rewards an ensemble's members
/// give them (a [members, candidates] matrix). All randomness comes from the generator passed in, so a seeded caller gets
/// the same choices every run.
/// </summary>
public interface IPairSelector
{
    /// <summary>A short name for tables and the command line.</summary>
    string Name { get; }

    /// <summary>Two distinct candidate indices in [0, candidates).</summary>
    /// <exception cref="ArgumentException">Fewer than two candidates or no members.</exception>
    CandidatePair Select(FloatMatrix memberScores, SeededRandom random);
}
