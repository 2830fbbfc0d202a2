using System.Numerics.Tensors;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Kernels;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// The architecture of the ArmoRM gate as a reward head over rows [prompt embedding, objective rewards]: a ReLU MLP maps
/// the prompt embedding to one logit per objective, w = softmax(z / T), and the reward is β · Σ_i w_i r_i with β = exp(s)
/// learned (positive, starting at 1). Trained with the Bradley–Terry loss by <see cref="Training.PairwiseTrainer"/>: the
/// objective rewards are inputs, so the objective heads stay frozen.
/// </summary>
public sealed record GatingHeadSpec : HeadSpec
{
    /// <summary>The manifest's <c>kind</c>.</summary>
    public const string KindName = "gate";

    /// <summary>Number of objectives the gate weighs: the last <see cref="ObjectiveCount"/> input columns.</summary>
    public int ObjectiveCount { get; init; }

    /// <summary>Hidden layer sizes; ArmoRM's reference gate is 3 x 1024.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [1024, 1024, 1024];

    /// <summary>Softmax temperature T: higher spreads the weights more evenly.</summary>
    public float Temperature { get; init; } = 1f;

    /// <inheritdoc />
    public override RewardHead Create(int inputDimension, long seed) => new GatingRewardHead(this, inputDimension, seed);

    /// <inheritdoc />
    public bool Equals(GatingHeadSpec? other) => other is not null && ObjectiveCount == other.ObjectiveCount && Temperature == other.Temperature && HiddenSizes.SequenceEqual(other.HiddenSizes);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ObjectiveCount, Temperature, HiddenSizes.Aggregate(17, HashCode.Combine));

    /// <summary>Checks the settings, naming the bad one; the objective count is checked unless <paramref name="objectiveCountKnown"/> is false (a template the trainer completes).</summary>
    public void Validate(bool objectiveCountKnown = true)
    {
        OptionValidation.Require(!objectiveCountKnown || ObjectiveCount >= 1, nameof(ObjectiveCount), ObjectiveCount, "must be at least 1: the gate weighs at least one objective");
        OptionValidation.Require(HiddenSizes.All(h => h >= 1), nameof(HiddenSizes), string.Join(",", HiddenSizes), "must give every hidden layer at least one unit");
        OptionValidation.Require(Temperature > 0 && float.IsFinite(Temperature), nameof(Temperature), Temperature, "must be a positive number (the softmax temperature)");
    }
}

/// <summary>The gating network of <see cref="GatingHeadSpec"/>; see there for the formula.</summary>
public sealed class GatingRewardHead : RewardHead
{
    private readonly GatingHeadSpec _spec;
    private readonly DenseStack _layers;
    private readonly int _logBetaOffset;

    /// <summary>Creates a gate for rows of <paramref name="inputDimension"/> = prompt dimension + objective count, initialised from <paramref name="seed"/>.</summary>
    public GatingRewardHead(GatingHeadSpec spec, int inputDimension, long seed)
        : base(inputDimension, CreateLayers(spec, inputDimension).ParameterCount + 1)
    {
        _spec = spec;
        _layers = CreateLayers(spec, inputDimension);
        _logBetaOffset = _layers.ParameterCount;
        _layers.Initialize(Parameters, new SeededRandom(seed));
        Parameters[_logBetaOffset] = 0f;
    }

    /// <summary>Length of the prompt embedding at the start of each input row.</summary>
    public int PromptDimension => InputDimension - _spec.ObjectiveCount;

    /// <summary>Number of objectives at the end of each input row.</summary>
    public int ObjectiveCount => _spec.ObjectiveCount;

    /// <summary>The learned scale β.</summary>
    public float Beta => MathF.Exp(Parameters[_logBetaOffset]);

    /// <inheritdoc />
    public override HeadSpec Spec => _spec;

    /// <inheritdoc />
    internal override IReadOnlyList<TensorSlice> Layout => [.. _layers.Layout(), new TensorSlice("log_beta", _logBetaOffset, [1])];

    /// <inheritdoc />
    internal override HeadWorkspace CreateWorkspace(int maxRows) => new Workspace(maxRows, PromptDimension, ObjectiveCount, _layers.CreateBuffers(maxRows));

    /// <summary>The gate weights (rows x objectives, each row non-negative and summing to 1) for prompt embeddings laid out row-major.</summary>
    public FloatMatrix Weights(FloatMatrix promptEmbeddings)
    {
        if (promptEmbeddings.Columns != PromptDimension)
        {
            throw new ArgumentException($"prompt embeddings have {promptEmbeddings.Columns} columns, the gate expects {PromptDimension}", nameof(promptEmbeddings));
        }

        const int Block = 256;
        int k = ObjectiveCount;
        var weights = new FloatMatrix(promptEmbeddings.Rows, k);
        var buffers = _layers.CreateBuffers(Math.Min(Block, Math.Max(1, promptEmbeddings.Rows)));
        for (int start = 0; start < promptEmbeddings.Rows; start += Block)
        {
            int rows = Math.Min(Block, promptEmbeddings.Rows - start);
            var logits = _layers.Forward(Parameters, promptEmbeddings.Data.AsSpan(start * PromptDimension, rows * PromptDimension), rows, buffers);
            for (int i = 0; i < rows; i++)
            {
                Softmax(logits.Slice(i * k, k), weights.Row(start + i));
            }
        }

        return weights;
    }

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, Span<float> rewards)
    {
        var ws = (Workspace)workspace;
        int e = PromptDimension, k = ObjectiveCount;
        for (int i = 0; i < rows; i++)
        {
            inputs.Slice(i * InputDimension, e).CopyTo(ws.Prompts.AsSpan(i * e, e));
        }

        var logits = _layers.Forward(Parameters, ws.Prompts, rows, ws.Buffers);
        for (int i = 0; i < rows; i++)
        {
            var weights = ws.Weights.AsSpan(i * k, k);
            Softmax(logits.Slice(i * k, k), weights);
            rewards[i] = Combine(weights, inputs.Slice((i * InputDimension) + e, k));
        }
    }

    /// <summary>The reward β · Σ_i w_i r_i of one row, from its gate weights (see <see cref="Weights"/>) and objective rewards.</summary>
    public float Combine(ReadOnlySpan<float> weights, ReadOnlySpan<float> objectives)
    {
        if (weights.Length != ObjectiveCount || objectives.Length != ObjectiveCount)
        {
            throw new ArgumentException($"{weights.Length} weights and {objectives.Length} objective rewards; the gate weighs {ObjectiveCount} objectives");
        }

        return Beta * TensorPrimitives.Dot(weights, objectives);
    }

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, ReadOnlySpan<float> rewardGradients, Span<float> gradient)
    {
        // R = β Σ w_j r_j with w = softmax(z / T): ∂R/∂z_j = (β / T) w_j (r_j − Σ_i w_i r_i), ∂R/∂s = R for β = e^s.
        var ws = (Workspace)workspace;
        int e = PromptDimension, k = ObjectiveCount;
        float beta = Beta;
        float scale = beta / _spec.Temperature;
        double betaGradient = 0;
        for (int i = 0; i < rows; i++)
        {
            var weights = ws.Weights.AsSpan(i * k, k);
            var objectives = inputs.Slice((i * InputDimension) + e, k);
            float mean = TensorPrimitives.Dot(weights, objectives);
            betaGradient += rewardGradients[i] * beta * mean;
            var logitGradients = ws.LogitGradients.AsSpan(i * k, k);
            for (int j = 0; j < k; j++)
            {
                logitGradients[j] = rewardGradients[i] * scale * weights[j] * (objectives[j] - mean);
            }
        }

        _layers.Backward(Parameters, ws.Prompts, rows, ws.Buffers, ws.LogitGradients, gradient);
        gradient[_logBetaOffset] += (float)betaGradient;
    }

    private void Softmax(ReadOnlySpan<float> logits, Span<float> weights) => Kernels.Softmax.Scaled(logits, 1f / _spec.Temperature, weights);

    private static DenseStack CreateLayers(GatingHeadSpec spec, int inputDimension)
    {
        spec.Validate();
        if (inputDimension <= spec.ObjectiveCount)
        {
            throw new ArgumentException($"the gate's rows hold a prompt embedding followed by {spec.ObjectiveCount} objective rewards, so they need more than {spec.ObjectiveCount} columns (got {inputDimension})", nameof(inputDimension));
        }

        return new DenseStack([inputDimension - spec.ObjectiveCount, .. spec.HiddenSizes, spec.ObjectiveCount]);
    }

    private sealed class Workspace : HeadWorkspace
    {
        public Workspace(int maxRows, int promptDimension, int objectives, DenseStack.Buffers buffers)
        {
            MaxRows = maxRows;
            Prompts = new float[maxRows * promptDimension];
            Weights = new float[maxRows * objectives];
            LogitGradients = new float[maxRows * objectives];
            Buffers = buffers;
        }

        public override int MaxRows { get; }

        public float[] Prompts { get; }

        public float[] Weights { get; }

        public float[] LogitGradients { get; }

        public DenseStack.Buffers Buffers { get; }
    }
}
