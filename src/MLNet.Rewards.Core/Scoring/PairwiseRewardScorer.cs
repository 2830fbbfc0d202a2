using MLNet.Rewards.Models;

namespace MLNet.Rewards.Scoring;

/// <summary>A <see cref="PairwiseRewardModel"/> as an <see cref="IRewardScorer"/>.</summary>
public sealed class PairwiseRewardScorer(PairwiseRewardModel model) : IRewardScorer
{
    /// <summary>The model.</summary>
    public PairwiseRewardModel Model { get; } = model;

    /// <inheritdoc />
    public string Description => $"{PairwiseRewardModel.ComponentName} ({Model.Head.Spec.GetType().Name.Replace("HeadSpec", "", StringComparison.Ordinal).ToLowerInvariant()} head on {Model.Embedder.Spec.GetType().Name.Replace("FeaturizerSpec", "", StringComparison.Ordinal).ToLowerInvariant()}-{Model.Embedder.Dimension})";

    /// <inheritdoc />
    public IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        [.. Model.Score(prompts, responses).Select(r => new RewardScore(r))];
}
