using Microsoft.ML;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Pipelines;
using MLNet.Rewards.Pipelines.Pairwise;
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
    /// Shared embeddings, one Bradley–Terry reward per principle, each standardised on the training rows, and the
    /// worst-case (min) scalarisation of MORLAIF as the combined reward: a response scores well only if it does on both.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext)
    {
        var featurizer = new HashingFeaturizerSpec { Buckets = 1024 };
        var trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 10, Seed = 1 };
        return mlContext.Rewards().EmbedText("PromptEmbedding", "Prompt", featurizer)
            .Append(mlContext.Rewards().EmbedText("ResponseEmbedding", "Response", featurizer))
            .Append(mlContext.Rewards().PairwiseReward(Objective("Helpful", trainer)))
            .Append(mlContext.Rewards().PairwiseReward(Objective("Harmless", trainer)))
            .Append(mlContext.Transforms.NormalizeMeanVariance("HelpfulZ", "HelpfulScore"))
            .Append(mlContext.Transforms.NormalizeMeanVariance("HarmlessZ", "HarmlessScore"))
            .Append(mlContext.Transforms.Expression("Reward", "(helpful, harmless) => min(helpful, harmless)", "HelpfulZ", "HarmlessZ"));
    }

    private static PairwiseRewardTrainerOptions Objective(string label, PairwiseTrainerOptions trainer) => new()
    {
        FeatureColumnName = "ResponseEmbedding",
        PromptFeatureColumnName = "PromptEmbedding",
        LabelColumnName = label,
        PairIdColumnName = "PairId",
        GroupColumnName = "Prompt",
        ScoreColumnName = label + "Score",
        Trainer = trainer,
    };
}
