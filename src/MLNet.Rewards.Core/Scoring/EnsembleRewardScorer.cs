using MLNet.Rewards.Models;

namespace MLNet.Rewards.Scoring;

/// <summary>An <see cref="EnsembleRewardModel"/> as an <see cref="IRewardScorer"/>: its aggregated reward, explained by the members' standard deviation.</summary>
public sealed class EnsembleRewardScorer(EnsembleRewardModel model) : IRewardScorer
{
    /// <summary>The name of the explanation entry that holds the members' standard deviation.</summary>
    public const string StdDevKey = "stdDev";

    /// <summary>The model.</summary>
    public EnsembleRewardModel Model { get; } = model;

    /// <inheritdoc />
    public string Description => $"{EnsembleRewardModel.ComponentName} ({Model.Ensemble.Members.Count} members, {Model.Aggregator.Aggregation})";

    /// <inheritdoc />
    public IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
    {
        var scores = Model.Score(prompts, responses);
        return [.. scores.Rewards.Select((r, i) => new RewardScore(r, new Dictionary<string, float> { [StdDevKey] = scores.StdDevs[i] }))];
    }
}
