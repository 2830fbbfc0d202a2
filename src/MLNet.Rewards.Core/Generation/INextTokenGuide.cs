namespace MLNet.Rewards.Generation;

/// <summary>
/// Changes the next-token scores of a generation step before the sampler sees them: test-time guidance such as GenARM.
/// Called once per step for every unfinished candidate.
/// </summary>
public interface INextTokenGuide
{
    /// <summary>
    /// Rewrites <paramref name="scores"/> (on entry: the base model's logits for one candidate) into the scores to sample
    /// from, given that candidate's final hidden state <paramref name="hidden"/>.
    /// </summary>
    void Guide(ReadOnlySpan<float> hidden, Span<float> scores);
}
