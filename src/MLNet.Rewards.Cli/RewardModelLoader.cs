using System.Text.Json.Nodes;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Cli;

/// <summary>Scores (prompt, response) rows into JSON results: at least <c>reward</c>, and a breakdown when the model has one.</summary>
internal interface IResponseScorer
{
    /// <summary>One JSON object per row, in order.</summary>
    IReadOnlyList<JsonObject> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses);
}

/// <summary>Any reward model's scalar rewards as {"reward"}.</summary>
internal sealed class RewardOnlyScorer(IRewardScorer scorer) : IResponseScorer
{
    public IReadOnlyList<JsonObject> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
        => [.. scorer.Score(prompts, responses).Select(r => new JsonObject { ["reward"] = r.Reward })];
}

/// <summary>Opens any scoring model zip by the <c>component</c> its manifest names.</summary>
internal static class RewardModelLoader
{
    /// <summary>
    /// Loads the model at <paramref name="path"/> as a scorer. <paramref name="combination"/> and <paramref name="explain"/>
    /// apply to multi-objective models only; asking for them with another model is a usage error.
    /// </summary>
    public static IResponseScorer Load(string path, FeaturizerContext context, RewardCombination? combination, bool explain)
    {
        if (combination is null && !explain)
        {
            return new RewardOnlyScorer(RewardModel.Load(path, context));
        }

        string component = ModelArchive.ReadComponent(path);
        if (component != MultiObjectiveRewardModel.ComponentName)
        {
            throw new UsageException($"--combine and --explain need a multi-objective model; {path} holds a '{component}' model");
        }

        var model = MultiObjectiveRewardModel.Load(path, context);
        if (combination is not null)
        {
            model = model.WithCombination(combination);
        }

        return explain ? new ExplainingScorer(model) : new RewardOnlyScorer(model);
    }

    /// <summary>A multi-objective model's rewards with their breakdown: objectives (standardised and raw), gate weights and β.</summary>
    private sealed class ExplainingScorer(MultiObjectiveRewardModel model) : IResponseScorer
    {
        public IReadOnlyList<JsonObject> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
            => [.. model.Explain(prompts, responses).Select(ToJson)];

        private static JsonObject ToJson(RewardExplanation explanation)
        {
            var result = new JsonObject
            {
                ["reward"] = explanation.Reward,
                ["combination"] = explanation.Combination,
                ["objectives"] = new JsonObject(explanation.Objectives.Select(o => KeyValuePair.Create(o.Name, (JsonNode?)o.Value))),
                ["rawObjectives"] = new JsonObject(explanation.Objectives.Select(o => KeyValuePair.Create(o.Name, (JsonNode?)o.Raw))),
            };
            if (explanation.Beta is float beta)
            {
                result["gateWeights"] = new JsonObject(explanation.Objectives.Select(o => KeyValuePair.Create(o.Name, (JsonNode?)o.GateWeight)));
                result["beta"] = beta;
            }

            return result;
        }
    }
}
