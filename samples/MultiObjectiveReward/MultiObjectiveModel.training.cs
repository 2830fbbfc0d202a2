using Microsoft.ML;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards;
using MLNet.Rewards.Training;

namespace MultiObjectiveReward;

/// <summary>One response of a pair judged on two principles.</summary>
public sealed class TwoPrincipleRow
{
    public string PairId { get; set; } = string.Empty;

    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;

    /// <summary>True when this response is the more helpful one of its pair.</summary>
    public bool Helpful { get; set; }

    /// <summary>True when this response is the safer one of its pair.</summary>
    public bool Harmless { get; set; }
}

public static class MultiObjectiveModel
{
    /// <summary>The objectives, in the order of the ObjectiveRewards column.</summary>
    public static readonly string[] ObjectiveNames = ["Helpful", "Harmless", "Words"];

    /// <summary>
    /// Joins the helpful and the harmless judgements of the same pairs (matched by id) into rows with both labels. Pairs
    /// whose two files do not hold the same two responses are rejected with their id.
    /// </summary>
    public static List<TwoPrincipleRow> Join(IReadOnlyList<PreferencePair> helpful, IReadOnlyList<PreferencePair> harmless)
    {
        var safer = harmless.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var rows = new List<TwoPrincipleRow>();
        foreach (var pair in helpful)
        {
            if (!safer.TryGetValue(pair.Id, out var judged) || judged.Prompt != pair.Prompt
                || !new[] { pair.Chosen, pair.Rejected }.Order(StringComparer.Ordinal).SequenceEqual(new[] { judged.Chosen, judged.Rejected }.Order(StringComparer.Ordinal)))
            {
                throw new InvalidDataException($"pair '{pair.Id}' is not the same comparison in the helpful and the harmless file");
            }

            foreach (string response in new[] { pair.Chosen, pair.Rejected })
            {
                rows.Add(new TwoPrincipleRow { PairId = pair.Id, Prompt = pair.Prompt, Response = response, Helpful = response == pair.Chosen, Harmless = response == judged.Chosen });
            }
        }

        return rows;
    }

    /// <summary>
    /// The gated multi-objective combiner (ArmoRM): a Bradley–Terry reward per principle and the response length in words,
    /// each standardised and decorrelated from verbosity, weighed per prompt by a gate trained on the helpful judgements.
    /// The fitted model writes Score (the combined reward), ObjectiveRewards and GateWeights.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext)
        => mlContext.Rewards().MultiObjectiveReward(new MultiObjectiveRewardTrainerOptions
        {
            Objectives = [new PreferenceObjectiveColumn(ObjectiveNames[0]), new PreferenceObjectiveColumn(ObjectiveNames[1]), new LengthObjectiveColumn(ObjectiveNames[2], LengthMeasure.Words)],
            LabelColumnName = "Helpful",
            Featurizer = new HashingFeaturizerSpec { Buckets = 1024 },
            Trainer = new MultiObjectiveTrainerOptions
            {
                Preference = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 10 },
                Gate = new GatingHeadSpec { HiddenSizes = [256] },
                GateTrainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 10 },
                MaxVerbositySpearman = 0.03,
                Seed = 1,
            },
        });
}
