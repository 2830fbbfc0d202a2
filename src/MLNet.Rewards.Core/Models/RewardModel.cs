using System.Text.Json.Nodes;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Models;

/// <summary>
/// What every saved reward model shares: the manifest's component name, the <see cref="ModelInfo"/> recorded with it,
/// writing its model zip (to a path atomically, to a stream, to bytes) and loading any model zip by the component its
/// manifest names. Each model scores as an <see cref="IRewardScorer"/>: the pairwise model its reward, the ensemble its
/// aggregated reward explained by the members' standard deviation, the multi-objective model its combined reward
/// explained by each objective (and, for the gate, its weight).
/// </summary>
public abstract class RewardModel : IRewardScorer
{
    /// <summary>Sets the parts every model has; only the models of this library derive from this class.</summary>
    private protected RewardModel(string component, ModelInfo? info)
    {
        Component = component;
        Info = info ?? new ModelInfo();
    }

    /// <summary>The manifest's <c>component</c>: which model type the zip holds.</summary>
    public string Component { get; }

    /// <summary>Hyperparameters, training metadata and metrics recorded with the model.</summary>
    public ModelInfo Info { get; }

    /// <inheritdoc />
    public abstract string Description { get; }

    /// <summary>Writes the model zip to <paramref name="path"/> atomically (a crash never leaves a half-written file).</summary>
    /// <exception cref="IOException">The target is a directory, device or pipe, or the write failed.</exception>
    public void Save(string path)
    {
        var (body, tensors) = Describe();
        ModelArchive.Save(path, Component, body, tensors);
    }

    /// <summary>Writes the model zip to <paramref name="stream"/> (at its position; the stream is left open).</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes());
    }

    /// <summary>The bytes of the model zip <see cref="Save(string)"/> writes, for containers that embed the model in another file (an ML.NET model zip).</summary>
    public byte[] ToBytes()
    {
        var (body, tensors) = Describe();
        return ModelArchive.ToBytes(Component, body, tensors);
    }

    /// <summary>
    /// Loads the reward model zip at <paramref name="path"/> by the component its manifest names (read first, without the
    /// weights): a <see cref="PairwiseRewardModel"/>, an <see cref="EnsembleRewardModel"/> (scored by its saved
    /// aggregation, e.g. a lower confidence bound), a <see cref="MultiObjectiveRewardModel"/> (scored by its saved
    /// combination) or a <see cref="LikelihoodRewardModel"/> (a chat model's log-likelihoods, loaded from its folder).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt, or holds a component that does not score responses.</exception>
    public static RewardModel Load(string path, FeaturizerContext? context = null)
    {
        string component = ModelArchive.ReadComponent(path);
        if (!IsRewardModel(component))
        {
            throw NotARewardModel(path, component);
        }

        return FromContents(ModelArchive.Load(path, component), context);
    }

    /// <summary>Loads a reward model zip from <paramref name="stream"/> (read to its end; left open), like <see cref="Load(string, FeaturizerContext?)"/>.</summary>
    /// <exception cref="ModelFormatException">The bytes are not a model zip, or hold a component that does not score responses.</exception>
    public static RewardModel Load(Stream stream, FeaturizerContext? context = null)
    {
        var contents = ReadStream(stream, component: null);
        if (!IsRewardModel(contents.Component))
        {
            throw NotARewardModel(contents.Path, contents.Component);
        }

        return FromContents(contents, context);
    }

    /// <summary>The component's own manifest entries and its tensors; the archive adds the format version, component and checksum.</summary>
    private protected abstract (JsonObject Body, IReadOnlyList<NamedTensor> Tensors) Describe();

    /// <summary>The rewards of <see cref="IRewardScorer.Score"/>, with the model's explanation.</summary>
    private protected abstract IReadOnlyList<RewardScore> ScoreWithExplanation(IReadOnlyList<string> prompts, IReadOnlyList<string> responses);

    /// <inheritdoc />
    IReadOnlyList<RewardScore> IRewardScorer.Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        ScoreWithExplanation(prompts, responses);

    /// <summary>Checks and opens the model zip in <paramref name="stream"/>, of <paramref name="component"/> (any when null).</summary>
    private protected static ModelContents ReadStream(Stream stream, string? component)
    {
        ArgumentNullException.ThrowIfNull(stream);
        string name = stream is FileStream file ? file.Name : "the model stream";
        return ModelArchive.FromBytes(ModelArchive.ReadAllBytes(stream, name), name, component);
    }

    private static bool IsRewardModel(string component) =>
        component is PairwiseRewardModel.ComponentName or EnsembleRewardModel.ComponentName or MultiObjectiveRewardModel.ComponentName or LikelihoodRewardModel.ComponentName;

    private static RewardModel FromContents(ModelContents contents, FeaturizerContext? context) => contents.Component switch
    {
        PairwiseRewardModel.ComponentName => PairwiseRewardModel.FromContents(contents, context),
        EnsembleRewardModel.ComponentName => EnsembleRewardModel.FromContents(contents, context),
        MultiObjectiveRewardModel.ComponentName => MultiObjectiveRewardModel.FromContents(contents, context),
        LikelihoodRewardModel.ComponentName => LikelihoodRewardModel.FromContents(contents, context),
        _ => throw NotARewardModel(contents.Path, contents.Component),
    };

    private static ModelFormatException NotARewardModel(string path, string component) => new(
        path,
        $"holds a '{component}' model, which does not score responses (expected: {PairwiseRewardModel.ComponentName}, {EnsembleRewardModel.ComponentName}, {MultiObjectiveRewardModel.ComponentName} or {LikelihoodRewardModel.ComponentName})");
}
