using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Scoring;

/// <summary>
/// A <see cref="MultiObjectiveRewardModel"/> as an <see cref="IRewardScorer"/>: the combined reward (the model's own
/// combination, or <paramref name="combination"/>), explained by each objective's value and, for the gate, its weight.
/// </summary>
public sealed class MultiObjectiveRewardScorer(MultiObjectiveRewardModel model, RewardCombination? combination = null) : IRewardScorer
{
    /// <summary>The model.</summary>
    public MultiObjectiveRewardModel Model { get; } = model;

    /// <inheritdoc />
    public string Description => $"{MultiObjectiveRewardModel.ComponentName} ({string.Join(", ", Model.ObjectiveNames)})";

    /// <inheritdoc />
    public IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        [.. Model.Explain(prompts, responses, combination).Select(e => new RewardScore(e.Reward, Explain(e)))];

    private static Dictionary<string, float> Explain(RewardExplanation explanation)
    {
        var parts = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var objective in explanation.Objectives)
        {
            parts[objective.Name] = objective.Value;
            if (objective.GateWeight is float weight)
            {
                parts[$"weight.{objective.Name}"] = weight;
            }
        }

        return parts;
    }
}
