using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Pairwise;

/// <summary>Input row of the reward mapping over response features alone.</summary>
public class PairwiseScoreInput : StateInput
{
    /// <summary>The response's features.</summary>
    [ColumnName(InternalColumns.Features)]
    public float[] Features { get; set; } = [];
}

/// <summary>Input row of the reward mapping over response features and the prompt's embedding.</summary>
public sealed class PairwiseScoreWithPromptInput : PairwiseScoreInput
{
    /// <summary>The prompt's embedding.</summary>
    [ColumnName(InternalColumns.PromptFeatures)]
    public float[] PromptFeatures { get; set; } = [];
}

/// <summary>Output row of the reward mappings.</summary>
public sealed class PairwiseScoreOutput
{
    /// <summary>The reward.</summary>
    [ColumnName(InternalColumns.Score)]
    public float Score { get; set; }

    /// <summary>This cursor's scratch space (rows of one cursor are scored one at a time, on one thread).</summary>
    [NoColumn]
    internal PairwiseScorer.Scratch? Scratch { get; set; }
}

/// <summary>The reward computations that ML.NET runs, by contract name, in fitted and loaded models.</summary>
public static class PairwiseScoreMapping
{
    /// <summary>Contract name of the mapping over features alone.</summary>
    public const string ContractName = "MLNet.Rewards.PairwiseScore.v1";

    /// <summary>Contract name of the mapping over features and the prompt's embedding.</summary>
    public const string WithPromptContractName = "MLNet.Rewards.PairwiseScoreWithPrompt.v1";

    /// <summary>Scores one row from its features.</summary>
    public static void Map(PairwiseScoreInput input, PairwiseScoreOutput output)
        => output.Score = Scorer(input).Score(input.Features, [], output);

    /// <summary>Scores one row from its features and its prompt's embedding.</summary>
    public static void MapWithPrompt(PairwiseScoreWithPromptInput input, PairwiseScoreOutput output)
        => output.Score = Scorer(input).Score(input.Features, input.PromptFeatures, output);

    private static PairwiseScorer Scorer(PairwiseScoreInput input) => input.Decode(PairwiseScorer.FromBytes);
}

/// <summary>Lets ML.NET recreate <see cref="PairwiseScoreMapping.Map"/> when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(PairwiseScoreMapping.ContractName)]
public sealed class PairwiseScoreMappingFactory : CustomMappingFactory<PairwiseScoreInput, PairwiseScoreOutput>
{
    /// <inheritdoc />
    public override Action<PairwiseScoreInput, PairwiseScoreOutput> GetMapping() => PairwiseScoreMapping.Map;
}

/// <summary>Lets ML.NET recreate <see cref="PairwiseScoreMapping.MapWithPrompt"/> when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(PairwiseScoreMapping.WithPromptContractName)]
public sealed class PairwiseScoreWithPromptMappingFactory : CustomMappingFactory<PairwiseScoreWithPromptInput, PairwiseScoreOutput>
{
    /// <inheritdoc />
    public override Action<PairwiseScoreWithPromptInput, PairwiseScoreOutput> GetMapping() => PairwiseScoreMapping.MapWithPrompt;
}

/// <summary>The decoded state of a pairwise reward transformer: feature layout and head.</summary>
internal sealed class PairwiseScorer
{
    public const string ComponentName = "mlnet-pairwise-reward-head";

    public PairwiseScorer(FeatureLayout layout, RewardHead head)
    {
        Layout = layout;
        Head = head;
        FeatureDimension = layout == FeatureLayout.Response ? head.InputDimension : head.InputDimension / 2;
    }

    public FeatureLayout Layout { get; }

    public RewardHead Head { get; }

    /// <summary>Length of the feature column (and of the prompt embedding, when used).</summary>
    public int FeatureDimension { get; }

    public float Score(ReadOnlySpan<float> features, ReadOnlySpan<float> prompt, PairwiseScoreOutput output)
    {
        SchemaChecks.RequireRowSize(features.Length, FeatureDimension, "feature vector");
        if (Layout == FeatureLayout.ResponseAndPromptProduct)
        {
            SchemaChecks.RequireRowSize(prompt.Length, FeatureDimension, "prompt embedding");
        }

        var scratch = output.Scratch;
        if (scratch is null || !ReferenceEquals(scratch.Owner, this))
        {
            scratch = output.Scratch = new Scratch(this);
        }

        ResponseFeatures.Build(Layout, prompt, features, scratch.Features);
        Head.Forward(scratch.Features, 1, scratch.Workspace, scratch.Reward);
        return scratch.Reward[0];
    }

    public byte[] ToBytes()
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["featureLayout"] = System.Text.Json.JsonSerializer.SerializeToNode(Layout, ModelArchive.JsonOptions),
            ["inputDimension"] = Head.InputDimension,
            ["head"] = System.Text.Json.JsonSerializer.SerializeToNode<HeadSpec>(Head.Spec, ModelArchive.JsonOptions),
        };
        return ModelArchive.ToBytes(ComponentName, body, [.. HeadTensors.Export(Head)]);
    }

    public static PairwiseScorer FromBytes(byte[] bytes)
    {
        var contents = ModelArchive.FromBytes(bytes, "the pairwise reward state inside the ML.NET model", ComponentName);
        var layout = contents.Get<FeatureLayout>("featureLayout");
        int inputDimension = contents.Get<int>("inputDimension");
        return new PairwiseScorer(layout, HeadTensors.Import(contents.Get<HeadSpec>("head"), inputDimension, contents));
    }

    /// <summary>Per-cursor buffers: the head's input row, its workspace and its output.</summary>
    internal sealed class Scratch(PairwiseScorer owner)
    {
        public PairwiseScorer Owner { get; } = owner;

        public float[] Features { get; } = new float[owner.Head.InputDimension];

        public HeadWorkspace Workspace { get; } = owner.Head.CreateWorkspace(1);

        public float[] Reward { get; } = new float[1];
    }
}
