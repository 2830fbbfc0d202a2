using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// A multi-objective reward model: named objectives (ridge regressions on ratings, Bradley–Terry heads per principle,
/// measured length) over shared response features, each standardised on a reference set and optionally decorrelated
/// from verbosity, combined by a prompt-conditioned gate (ArmoRM) or a fixed scalarizer (MORLAIF) chosen at scoring time.
/// Every score can be explained. Saves to and loads from one model zip. As an <see cref="IRewardScorer"/> it scores the
/// reward of its <see cref="DefaultCombination"/> (another one by <see cref="WithCombination"/>), explained by each
/// objective's value and, when the gate combines, its weight (<c>weight.NAME</c>).
/// </summary>
public sealed class MultiObjectiveRewardModel : RewardModel
{
    /// <summary>The manifest's <c>component</c> for this model.</summary>
    public const string ComponentName = "multi-objective-reward";

    private const string ObjectivePrefix = "objectives.";
    private const string GatePrefix = "gate.";

    /// <summary>Assembles a model from its parts, checking that they fit together.</summary>
    /// <exception cref="ArgumentException">Names repeat, a head does not take the featurizer's dimension, or the gate or default combination does not fit the objectives.</exception>
    public MultiObjectiveRewardModel(
        ITextEmbedder embedder,
        FeatureLayout layout,
        IReadOnlyList<Objective> objectives,
        VerbosityReference verbosity,
        GatingRewardHead? gate,
        RewardCombination defaultCombination,
        ModelInfo? info = null)
        : base(ComponentName, info)
    {
        Featurizer = new PairFeaturizer(embedder, layout);
        if (objectives.Count == 0)
        {
            throw new ArgumentException("a multi-objective model needs at least one objective", nameof(objectives));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (descriptor, head) in objectives)
        {
            if (string.IsNullOrWhiteSpace(descriptor.Name) || !seen.Add(descriptor.Name))
            {
                throw new ArgumentException($"objective names must be non-empty and unique ('{descriptor.Name}' is not)", nameof(objectives));
            }

            if (descriptor.Kind == ObjectiveKind.Measured ? descriptor.Measure is null : head is null)
            {
                throw new ArgumentException($"objective '{descriptor.Name}' is {descriptor.Kind} but has {(head is null ? "no head" : "no length measure")}", nameof(objectives));
            }

            if (head is not null && head.InputDimension != Featurizer.Dimension)
            {
                throw new ArgumentException($"objective '{descriptor.Name}' has a head over {head.InputDimension} features but {layout} over the {embedder.Dimension}-dimensional featurizer gives {Featurizer.Dimension}", nameof(objectives));
            }

            if (!(descriptor.Scale > 0) || !float.IsFinite(descriptor.Mean) || !float.IsFinite(descriptor.VerbosityLambda))
            {
                throw new ArgumentException($"objective '{descriptor.Name}' has a non-positive scale or a non-finite mean or lambda", nameof(objectives));
            }
        }

        if (gate is not null && (gate.ObjectiveCount != objectives.Count || gate.PromptDimension != embedder.Dimension))
        {
            throw new ArgumentException($"the gate weighs {gate.ObjectiveCount} objectives over {gate.PromptDimension}-dimensional prompts, but the model has {objectives.Count} objectives and a {embedder.Dimension}-dimensional featurizer", nameof(gate));
        }

        if (!(verbosity.StandardDeviation > 0))
        {
            throw new ArgumentException("the verbosity standard deviation must be positive", nameof(verbosity));
        }

        Objectives = objectives;
        Verbosity = verbosity;
        Gate = gate;
        CheckCombination(defaultCombination);
        DefaultCombination = defaultCombination;
    }

    /// <summary>The featurizer the objective heads read.</summary>
    public PairFeaturizer Featurizer { get; }

    /// <summary>The objectives, in the order of every objective vector.</summary>
    public IReadOnlyList<Objective> Objectives { get; }

    /// <summary>The objective names, in order.</summary>
    public IReadOnlyList<string> ObjectiveNames => [.. Objectives.Select(o => o.Descriptor.Name)];

    /// <summary>The verbosity signal used by decorrelation.</summary>
    public VerbosityReference Verbosity { get; }

    /// <summary>The trained gate, or null for a model that only scalarizes.</summary>
    public GatingRewardHead? Gate { get; }

    /// <summary>The combination used when a call names none.</summary>
    public RewardCombination DefaultCombination { get; }

    /// <inheritdoc />
    public override string Description => $"{ComponentName} ({string.Join(", ", ObjectiveNames)})";

    /// <summary>
    /// The same model (the same objectives, gate and info) with <paramref name="combination"/> as its default: it scores
    /// by that combination, as an <see cref="IRewardScorer"/> too, and saves it as the default.
    /// </summary>
    /// <exception cref="ArgumentException">The combination does not fit the model (the gate of a model without one, a scalarizer's weights of another length).</exception>
    public MultiObjectiveRewardModel WithCombination(RewardCombination combination) =>
        new(Featurizer.Embedder, Featurizer.Layout, Objectives, Verbosity, Gate, combination, Info);

    /// <summary>Featurizes rows for <see cref="Evaluate(ResponseBatch)"/>.</summary>
    public ResponseBatch Featurize(IReadOnlyList<string> prompts, IReadOnlyList<string> responses, CancellationToken cancellationToken = default)
        => ResponseBatch.Create(Featurizer, prompts, responses, cancellationToken);

    /// <summary>The objective rewards of featurized rows: raw, and standardised and decorrelated (what combiners see).</summary>
    public ObjectiveValues Evaluate(ResponseBatch batch)
    {
        if (batch.Features.Columns != Featurizer.Dimension || batch.Prompts.Columns != Featurizer.Embedder.Dimension)
        {
            throw new ArgumentException($"the batch has {batch.Features.Columns} features and {batch.Prompts.Columns}-dimensional prompts; the model needs {Featurizer.Dimension} and {Featurizer.Embedder.Dimension}", nameof(batch));
        }

        int n = batch.Count, k = Objectives.Count;
        var raw = new FloatMatrix(n, k);
        var values = new FloatMatrix(n, k);
        var column = new float[n];
        var verbosity = batch.Responses.Select(Verbosity.Of).ToArray();
        for (int j = 0; j < k; j++)
        {
            var (descriptor, head) = Objectives[j];
            if (head is not null)
            {
                head.Score(batch.Features, column);
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    column[i] = descriptor.Measure!.Value.Of(batch.Responses[i]);
                }
            }

            for (int i = 0; i < n; i++)
            {
                raw.Data[(i * k) + j] = column[i];
                values.Data[(i * k) + j] = ((column[i] - descriptor.Mean) / descriptor.Scale) - (descriptor.VerbosityLambda * verbosity[i]);
            }
        }

        return new ObjectiveValues(raw, values, batch.Prompts);
    }

    /// <summary>One reward per row from objective values, by <paramref name="combination"/> (the model's default when null).</summary>
    public float[] Combine(ObjectiveValues values, RewardCombination? combination = null)
    {
        combination ??= DefaultCombination;
        CheckCombination(combination);
        int n = values.Values.Rows;
        var rewards = new float[n];
        switch (combination)
        {
            case GateCombination:
                Gate!.Score(GateInputs(values), rewards);
                break;
            case Scalarizer scalarizer:
                for (int i = 0; i < n; i++)
                {
                    rewards[i] = scalarizer.Combine(values.Values.Row(i));
                }

                break;
            default:
                throw new ArgumentException($"unknown combination {combination.GetType().Name}", nameof(combination));
        }

        return rewards;
    }

    /// <summary>
    /// The gate's weights (rows x objectives) for prompt embeddings when <paramref name="combination"/> (the model's
    /// default when null) is the gate, null otherwise. They depend on the prompt only, so a caller scoring several
    /// responses to one prompt computes them once and passes them to <see cref="CombineWithWeights"/>.
    /// </summary>
    public FloatMatrix? GateWeights(FloatMatrix promptEmbeddings, RewardCombination? combination = null)
    {
        combination ??= DefaultCombination;
        CheckCombination(combination);
        return combination is GateCombination ? Gate!.Weights(promptEmbeddings) : null;
    }

    /// <summary>
    /// <see cref="Combine"/> with the gate's weights (rows x objectives) when the gate combines, null otherwise; the gate
    /// runs once (not at all when <paramref name="gateWeights"/>, from <see cref="GateWeights"/> for the same prompts, is
    /// given), and the rewards are bit-identical to <see cref="Combine"/>'s.
    /// </summary>
    public (float[] Rewards, FloatMatrix? GateWeights) CombineWithWeights(ObjectiveValues values, RewardCombination? combination = null, FloatMatrix? gateWeights = null)
    {
        combination ??= DefaultCombination;
        if (combination is not GateCombination)
        {
            return (Combine(values, combination), null);
        }

        var weights = gateWeights ?? GateWeights(values.Prompts, combination)!;
        if (weights.Rows != values.Values.Rows || weights.Columns != Objectives.Count)
        {
            throw new ArgumentException($"{weights.Rows} x {weights.Columns} gate weights for {values.Values.Rows} rows of {Objectives.Count} objectives", nameof(gateWeights));
        }

        var rewards = new float[values.Values.Rows];
        for (int i = 0; i < rewards.Length; i++)
        {
            rewards[i] = Gate!.Combine(weights.Row(i), values.Values.Row(i));
        }

        return (rewards, weights);
    }

    /// <summary>Rewards of (prompt, response) rows.</summary>
    public float[] Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses, RewardCombination? combination = null)
        => Combine(Evaluate(Featurize(prompts, responses)), combination);

    /// <summary>The reward of one response.</summary>
    public float Score(string prompt, string response, RewardCombination? combination = null) => Score([prompt], [response], combination)[0];

    /// <summary>Rewards of (prompt, response) rows with their breakdown: per-objective rewards, gate weights and β, the combination used.</summary>
    public IReadOnlyList<RewardExplanation> Explain(IReadOnlyList<string> prompts, IReadOnlyList<string> responses, RewardCombination? combination = null)
    {
        combination ??= DefaultCombination;
        var values = Evaluate(Featurize(prompts, responses));
        var (rewards, weights) = CombineWithWeights(values, combination);
        var explanations = new RewardExplanation[rewards.Length];
        for (int i = 0; i < rewards.Length; i++)
        {
            var objectives = new ObjectiveScore[Objectives.Count];
            for (int j = 0; j < objectives.Length; j++)
            {
                objectives[j] = new ObjectiveScore(Objectives[j].Descriptor.Name, values.Raw.Row(i)[j], values.Values.Row(i)[j], weights?.Row(i)[j]);
            }

            explanations[i] = new RewardExplanation(rewards[i], combination.Describe(), objectives, weights is null ? null : Gate!.Beta);
        }

        return explanations;
    }

    /// <summary>The gate's input rows [prompt embedding, objective values].</summary>
    internal static FloatMatrix GateInputs(ObjectiveValues values)
    {
        int e = values.Prompts.Columns, k = values.Values.Columns;
        var inputs = new FloatMatrix(values.Values.Rows, e + k);
        for (int i = 0; i < inputs.Rows; i++)
        {
            values.Prompts.Row(i).CopyTo(inputs.Row(i));
            values.Values.Row(i).CopyTo(inputs.Row(i)[e..]);
        }

        return inputs;
    }

    private void CheckCombination(RewardCombination combination)
    {
        switch (combination)
        {
            case GateCombination when Gate is null:
                throw new ArgumentException("this model has no gate; choose a scalarizer (min, soft-min, mean-variance, lower-quantile, product, linear)");
            case Scalarizer scalarizer:
                scalarizer.Validate(Objectives.Count);
                break;
        }
    }

    /// <summary>Loads and checks a model zip written by <see cref="RewardModel.Save(string)"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt, of another component or inconsistent.</exception>
    public static new MultiObjectiveRewardModel Load(string path, FeaturizerContext? context = null)
        => FromContents(ModelArchive.Load(path, ComponentName), context);

    /// <summary>Loads and checks a model zip from <paramref name="stream"/> (read to its end; left open).</summary>
    /// <exception cref="ModelFormatException">The bytes are not a model zip, of another component or inconsistent.</exception>
    public static new MultiObjectiveRewardModel Load(Stream stream, FeaturizerContext? context = null)
        => FromContents(ReadStream(stream, ComponentName), context);

    /// <summary>Loads a model zip held in memory (from <see cref="RewardModel.ToBytes"/>), with the checks of <see cref="Load(string, FeaturizerContext?)"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ModelFormatException">The bytes are not a model zip, hold another component or are inconsistent.</exception>
    public static MultiObjectiveRewardModel FromBytes(byte[] zipBytes, string sourceName, FeaturizerContext? context = null)
        => FromContents(ModelArchive.FromBytes(zipBytes, sourceName, ComponentName), context);

    /// <inheritdoc />
    private protected override IReadOnlyList<RewardScore> ScoreWithExplanation(IReadOnlyList<string> prompts, IReadOnlyList<string> responses) =>
        [.. Explain(prompts, responses).Select(e => new RewardScore(e.Reward, ExplanationParts(e)))];

    private static Dictionary<string, float> ExplanationParts(RewardExplanation explanation)
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

    /// <inheritdoc />
    private protected override (JsonObject Body, IReadOnlyList<NamedTensor> Tensors) Describe()
    {
        var tensors = new List<NamedTensor>();
        for (int j = 0; j < Objectives.Count; j++)
        {
            if (Objectives[j].Head is { } head)
            {
                tensors.AddRange(HeadTensors.Export(head, $"{ObjectivePrefix}{j}."));
            }
        }

        if (Gate is not null)
        {
            tensors.AddRange(HeadTensors.Export(Gate, GatePrefix));
        }

        var body = new JsonObject
        {
            ["objectives"] = JsonSerializer.SerializeToNode(Objectives.Select(o => o.Descriptor).ToList(), ModelArchive.JsonOptions),
            ["verbosity"] = JsonSerializer.SerializeToNode(Verbosity, ModelArchive.JsonOptions),
            ["gate"] = Gate is null ? null : JsonSerializer.SerializeToNode<HeadSpec>(Gate.Spec, ModelArchive.JsonOptions),
            ["defaultCombination"] = JsonSerializer.SerializeToNode(DefaultCombination, ModelArchive.JsonOptions),
            ["info"] = JsonSerializer.SerializeToNode(Info, ModelArchive.JsonOptions),
        };
        FeaturizerManifest.Write(body, Featurizer);
        return (body, tensors);
    }

    /// <summary>The model in checked zip contents of this component.</summary>
    internal static MultiObjectiveRewardModel FromContents(ModelContents contents, FeaturizerContext? context)
    {
        string path = contents.Path;
        var (featurizerSpec, layout, inputDimension) = FeaturizerManifest.Read(contents);

        var descriptors = contents.Get<List<ObjectiveDescriptor>>("objectives");
        var objectives = new List<Objective>();
        for (int j = 0; j < descriptors.Count; j++)
        {
            var d = descriptors[j];
            var head = d.Head is null ? null : HeadTensors.Import(d.Head, inputDimension, contents, $"{ObjectivePrefix}{j}.");
            objectives.Add(new Objective(d, head));
        }

        GatingRewardHead? gate = null;
        if (contents.Manifest["gate"] is not null)
        {
            if (contents.Get<HeadSpec>("gate") is not GatingHeadSpec gateSpec)
            {
                throw new ModelFormatException(path, "the manifest's 'gate' is not a gate (kind 'gate')");
            }

            if (gateSpec.ObjectiveCount != descriptors.Count)
            {
                throw new ModelFormatException(path, $"the gate weighs {gateSpec.ObjectiveCount} objectives but the manifest lists {descriptors.Count}");
            }

            gate = (GatingRewardHead)HeadTensors.Import(gateSpec, featurizerSpec.Dimension + descriptors.Count, contents, GatePrefix);
        }

        var embedder = featurizerSpec.CreateEmbedder(context ?? FeaturizerContext.Default);
        try
        {
            return new MultiObjectiveRewardModel(embedder, layout, objectives, contents.Get<VerbosityReference>("verbosity"), gate, contents.Get<RewardCombination>("defaultCombination"), contents.Get<ModelInfo>("info"));
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(path, $"the parts do not fit together ({e.Message})", e);
        }
    }
}

/// <summary>Objective rewards of a batch of rows.</summary>
/// <param name="Raw">Raw objective rewards (rows x objectives): head outputs or measured lengths.</param>
/// <param name="Values">Standardised and decorrelated rewards: what the gate and scalarizers combine.</param>
/// <param name="Prompts">The prompt embeddings of the rows (the gate's input).</param>
public sealed record ObjectiveValues(FloatMatrix Raw, FloatMatrix Values, FloatMatrix Prompts);

/// <summary>One objective's part of an explained reward.</summary>
/// <param name="Name">Objective name.</param>
/// <param name="Raw">Raw reward (head output or length).</param>
/// <param name="Value">Standardised, decorrelated reward: what was combined.</param>
/// <param name="GateWeight">The gate's weight for this objective, when the gate combined them.</param>
public sealed record ObjectiveScore(string Name, float Raw, float Value, float? GateWeight);

/// <summary>An explained reward.</summary>
/// <param name="Reward">The reward.</param>
/// <param name="Combination">The combination used, with its settings.</param>
/// <param name="Objectives">Per-objective rewards (and gate weights).</param>
/// <param name="Beta">The gate's scale β, when the gate combined them.</param>
public sealed record RewardExplanation(float Reward, string Combination, IReadOnlyList<ObjectiveScore> Objectives, float? Beta);
