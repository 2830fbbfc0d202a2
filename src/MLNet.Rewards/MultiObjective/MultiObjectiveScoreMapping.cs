using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Embedding;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.MultiObjective;

/// <summary>Input row of the multi-objective reward mapping (fixed column names; the state is Core's multi-objective model zip).</summary>
public sealed class MultiObjectiveScoreInput : StateInput
{
    /// <summary>The prompt.</summary>
    [ColumnName(InternalColumns.Prompt)]
    public string Prompt { get; set; } = string.Empty;

    /// <summary>The response.</summary>
    [ColumnName(InternalColumns.Response)]
    public string Response { get; set; } = string.Empty;
}

/// <summary>Output row of the multi-objective reward mapping.</summary>
public sealed class MultiObjectiveScoreOutput
{
    /// <summary>The combined reward.</summary>
    [ColumnName(InternalColumns.Score)]
    public float Score { get; set; }

    /// <summary>The objective rewards the combiner saw (standardised, decorrelated), in the model's objective order.</summary>
    [ColumnName(InternalColumns.ObjectiveRewards)]
    public float[] ObjectiveRewards { get; set; } = [];

    /// <summary>The gate's weights per objective; empty for a model without a gate.</summary>
    [ColumnName(InternalColumns.GateWeights)]
    public float[] GateWeights { get; set; } = [];

    /// <summary>This cursor's scratch space (rows of one cursor are scored one at a time, on one thread).</summary>
    [NoColumn]
    internal MultiObjectiveScorer.Scratch? Scratch { get; set; }
}

/// <summary>The multi-objective reward computation that ML.NET runs, by contract name, in fitted and loaded models.</summary>
public static class MultiObjectiveScoreMapping
{
    /// <summary>Contract name saved in model zips; a change of meaning gets a new name (v2), and v1 stays loadable.</summary>
    public const string ContractName = "MLNet.Rewards.MultiObjectiveScore.v1";

    /// <summary>Scores one (prompt, response) row.</summary>
    public static void Map(MultiObjectiveScoreInput input, MultiObjectiveScoreOutput output)
        => input.Decode(MultiObjectiveScorer.FromBytes).Score(input.Prompt ?? string.Empty, input.Response ?? string.Empty, output);
}

/// <summary>Lets ML.NET recreate <see cref="MultiObjectiveScoreMapping.Map"/> when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(MultiObjectiveScoreMapping.ContractName)]
public sealed class MultiObjectiveScoreMappingFactory : CustomMappingFactory<MultiObjectiveScoreInput, MultiObjectiveScoreOutput>
{
    /// <inheritdoc />
    public override Action<MultiObjectiveScoreInput, MultiObjectiveScoreOutput> GetMapping() => MultiObjectiveScoreMapping.Map;
}

/// <summary>
/// The decoded state of a multi-objective reward transformer: Core's <see cref="MultiObjectiveRewardModel"/>, scored one
/// row at a time with exactly Core's arithmetic (embeddings, <see cref="MultiObjectiveRewardModel.Evaluate"/>,
/// <see cref="MultiObjectiveRewardModel.CombineWithWeights"/>); the gate runs once per run of rows with the same prompt.
/// </summary>
internal sealed class MultiObjectiveScorer
{
    private readonly RowEmbedder _embedder;

    public MultiObjectiveScorer(MultiObjectiveRewardModel model)
    {
        Model = model;
        _embedder = new RowEmbedder(model.Featurizer.Embedder);
    }

    public MultiObjectiveRewardModel Model { get; }

    public static MultiObjectiveScorer FromBytes(byte[] bytes)
        => new(MultiObjectiveRewardModel.FromBytes(bytes, "the multi-objective model inside the ML.NET model"));

    public void Score(string prompt, string response, MultiObjectiveScoreOutput output)
    {
        var scratch = output.Scratch;
        if (scratch is null || !ReferenceEquals(scratch.Owner, this))
        {
            scratch = output.Scratch = new Scratch(this);
        }

        // A prompt with several responses (one row each) is embedded, and weighed by the gate, once.
        if (!string.Equals(scratch.EmbeddedPrompt, prompt, StringComparison.Ordinal))
        {
            _embedder.Embed(prompt, scratch.Prompt.Row(0));
            scratch.PromptGateWeights = Model.GateWeights(scratch.Prompt);
            scratch.EmbeddedPrompt = prompt;
        }

        _embedder.Embed(response, scratch.Response.Row(0));
        var values = Model.Evaluate(ResponseBatch.FromEmbeddings(Model.Featurizer, scratch.Prompt, scratch.Response, [response]));
        var (rewards, weights) = Model.CombineWithWeights(values, gateWeights: scratch.PromptGateWeights);
        output.Score = rewards[0];
        output.ObjectiveRewards = Copy(values.Values.Row(0), output.ObjectiveRewards);
        output.GateWeights = weights is null ? [] : Copy(weights.Row(0), output.GateWeights);
    }

    private static float[] Copy(ReadOnlySpan<float> values, float[] reuse)
    {
        var target = reuse.Length == values.Length ? reuse : new float[values.Length];
        values.CopyTo(target);
        return target;
    }

    /// <summary>Per-cursor buffers: the last prompt's embedding and gate weights, and the response's embedding.</summary>
    internal sealed class Scratch(MultiObjectiveScorer owner)
    {
        public MultiObjectiveScorer Owner { get; } = owner;

        public FloatMatrix Prompt { get; } = new(1, owner.Model.Featurizer.Embedder.Dimension);

        public FloatMatrix Response { get; } = new(1, owner.Model.Featurizer.Embedder.Dimension);

        public string? EmbeddedPrompt { get; set; }

        /// <summary>The gate's weights for <see cref="EmbeddedPrompt"/>; null when the model does not combine by its gate.</summary>
        public FloatMatrix? PromptGateWeights { get; set; }
    }
}
