namespace MLNet.Rewards.Scoring;

/// <summary>
/// Anything that scores responses to prompts with a reward: a pairwise model, an ensemble's lower confidence bound, a
/// gated multi-objective combiner. Best-of-N selection and evaluation take this, so every model kind plugs in.
/// </summary>
public interface IRewardScorer
{
    /// <summary>A short description for reports, e.g. "pairwise-reward (mlp on hashing-1024)".</summary>
    string Description { get; }

    /// <summary>The reward of each (prompt, response) row, with an explanation where the model has one.</summary>
    IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses);
}

/// <summary>A reward and, where the model can give one, its breakdown (per objective, per ensemble member...).</summary>
/// <param name="Reward">The scalar reward; higher is better.</param>
/// <param name="Explanation">Named parts of the reward, or null.</param>
public sealed record RewardScore(float Reward, IReadOnlyDictionary<string, float>? Explanation = null);
