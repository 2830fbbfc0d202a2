using System.Numerics.Tensors;
using MLNet.Rewards.Kernels;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Heads;

/// <summary>
/// A prototypical reward head (after Proto-RM, Zhang et al., arXiv 2406.06606): K learned prototypes p_k in feature space,
/// each with a learned value v_k; a response is scored by its soft assignment to the prototypes,
/// r(x) = Σ_k softmax_k(−‖x − p_k‖² / τ) · v_k, with the temperature τ learned as log τ. Prototypes start from seeded
/// k-means++ on the training responses (<see cref="IDataInitializedHead"/>), so every score can be explained by the
/// few training-like regions it came from (<see cref="Explain"/>).
/// </summary>
public sealed class PrototypeRewardHead : RewardHead, IDataInitializedHead
{
    private readonly PrototypeHeadSpec _spec;

    /// <summary>
    /// Creates the head without data: prototypes drawn from N(0, 1/D) (unit-length on average), values uniform in ±0.01,
    /// τ = <see cref="PrototypeHeadSpec.InitialTemperature"/> (1 when unset). Training through <see cref="PairwiseTrainer"/>
    /// replaces the prototypes and τ by <see cref="Initialize"/>.
    /// </summary>
    public PrototypeRewardHead(int inputDimension, PrototypeHeadSpec spec, long seed)
        : base(inputDimension, CountParameters(inputDimension, spec))
    {
        _spec = spec;
        var random = new SeededRandom(seed);
        var centers = Centers;
        float scale = 1f / MathF.Sqrt(inputDimension);
        for (int i = 0; i < centers.Length; i++)
        {
            centers[i] = (float)random.NextGaussian() * scale;
        }

        var values = Values;
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = ((2f * random.NextSingle()) - 1f) * 0.01f;
        }

        LogTemperature = MathF.Log((float)(spec.InitialTemperature ?? 1.0));
    }

    /// <summary>Number of prototypes K.</summary>
    public int PrototypeCount => _spec.Prototypes;

    /// <summary>The softmax temperature τ.</summary>
    public float Temperature => MathF.Exp(LogTemperature);

    /// <inheritdoc />
    public override HeadSpec Spec => _spec;

    /// <inheritdoc />
    internal override IReadOnlyList<TensorSlice> Layout =>
    [
        new TensorSlice("prototype.centers", 0, [PrototypeCount, InputDimension]),
        new TensorSlice("prototype.values", ValuesOffset, [PrototypeCount]),
        new TensorSlice("prototype.log_temperature", TemperatureOffset, [1]),
    ];

    /// <summary>The prototypes, [K, D] row-major.</summary>
    public Span<float> Centers => Parameters.AsSpan(0, PrototypeCount * InputDimension);

    /// <summary>The prototypes' values v_k.</summary>
    public Span<float> Values => Parameters.AsSpan(ValuesOffset, PrototypeCount);

    private int ValuesOffset => PrototypeCount * InputDimension;

    private int TemperatureOffset => ValuesOffset + PrototypeCount;

    private float LogTemperature
    {
        get => Parameters[TemperatureOffset];
        set => Parameters[TemperatureOffset] = value;
    }

    /// <inheritdoc />
    internal override HeadWorkspace CreateWorkspace(int maxRows) => new Workspace(maxRows, PrototypeCount);

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, Span<float> rewards)
    {
        var ws = (Workspace)workspace;
        int k = PrototypeCount, d = InputDimension;
        var scaled = ws.ScaledDistances.AsSpan(0, rows * k);
        SquaredDistances(inputs[..(rows * d)], rows, scaled);
        TensorPrimitives.Multiply(scaled, 1f / Temperature, scaled);
        ReadOnlySpan<float> values = Values;
        for (int i = 0; i < rows; i++)
        {
            var weights = ws.Weights.AsSpan(i * k, k);
            TensorPrimitives.Negate(scaled.Slice(i * k, k), weights);
            TensorPrimitives.SoftMax(weights, weights);
            rewards[i] = TensorPrimitives.Dot(weights, values);
            ws.Rewards[i] = rewards[i];
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// With w = softmax(−d/τ) and r = Σ w_k v_k: ∂r/∂v_k = w_k; ∂r/∂p_k = (2/τ)·w_k·(v_k − r)·(x − p_k);
    /// ∂r/∂log τ = Σ_k w_k·(v_k − r)·d_k/τ.
    /// </remarks>
    internal override void Backward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, ReadOnlySpan<float> rewardGradients, Span<float> gradient)
    {
        var ws = (Workspace)workspace;
        int k = PrototypeCount, d = InputDimension;
        ReadOnlySpan<float> values = Values;
        var centerGradient = gradient[..(k * d)];
        var valueGradient = gradient.Slice(ValuesOffset, k);
        var coefficients = ws.Coefficients.AsSpan(0, rows * k);
        var deviation = ws.Deviation;
        float twoOverTau = 2f / Temperature;
        double temperatureGradient = 0;
        for (int i = 0; i < rows; i++)
        {
            var c = coefficients.Slice(i * k, k);
            float g = rewardGradients[i];
            if (g == 0f)
            {
                c.Clear();
                continue;
            }

            var weights = ws.Weights.AsSpan(i * k, k);
            TensorPrimitives.MultiplyAdd(weights, g, valueGradient, valueGradient);
            TensorPrimitives.Subtract(values, ws.Rewards[i], deviation);
            TensorPrimitives.Multiply(deviation, weights, deviation);
            temperatureGradient += g * TensorPrimitives.Dot(deviation, ws.ScaledDistances.AsSpan(i * k, k));
            TensorPrimitives.Multiply(deviation, g * twoOverTau, c);
        }

        // Σ_i c_ik (x_i − p_k) = (Cᵀ X)_k − (Σ_i c_ik) p_k
        Gemm.AddTransposedAMultiply(coefficients, inputs[..(rows * d)], centerGradient, rows, k, d);
        var columnSums = ws.ColumnSums;
        Array.Clear(columnSums);
        Gemm.AddColumnSums(coefficients, columnSums, rows, k);
        ReadOnlySpan<float> centers = Centers;
        for (int j = 0; j < k; j++)
        {
            if (columnSums[j] != 0f)
            {
                var row = centerGradient.Slice(j * d, d);
                TensorPrimitives.MultiplyAdd(centers.Slice(j * d, d), -columnSums[j], row, row);
            }
        }

        gradient[TemperatureOffset] += (float)temperatureGradient;
    }

    /// <summary>
    /// Seeded k-means++ on up to <see cref="PrototypeHeadSpec.InitializationSample"/> training responses, refined by
    /// <see cref="PrototypeHeadSpec.KMeansIterations"/> Lloyd steps; τ is then set (unless the spec fixes it) to half the mean gap
    /// between a response's average and nearest squared distance, so that the nearest prototype has about e² times the
    /// weight of a typical one. Values are reset to zero.
    /// </summary>
    public void Initialize(PairwiseDataset train, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(train.Dimension, InputDimension, nameof(train));
        if (train.Count == 0)
        {
            throw new ArgumentException("k-means++ needs at least one training pair", nameof(train));
        }

        var random = new SeededRandom(seed);
        var sample = SampleResponses(train, _spec.InitializationSample, random);
        var centers = new FloatMatrix(PrototypeCount, InputDimension, new float[PrototypeCount * InputDimension]);
        KMeans.PlusPlus(sample, centers, random);
        KMeans.Lloyd(sample, centers, _spec.KMeansIterations);
        centers.Data.CopyTo(Centers);
        Values.Clear();

        if (_spec.InitialTemperature is null)
        {
            var distances = new float[sample.Rows * PrototypeCount];
            SquaredDistances(sample.Data, sample.Rows, distances);
            double gap = 0;
            for (int i = 0; i < sample.Rows; i++)
            {
                var row = distances.AsSpan(i * PrototypeCount, PrototypeCount);
                gap += TensorPrimitives.Sum(row) / PrototypeCount - TensorPrimitives.Min(row);
            }

            gap /= sample.Rows;
            LogTemperature = MathF.Log((float)Math.Max(gap / 2, 1e-6));
        }
    }

    /// <summary>
    /// Why <paramref name="features"/> got its reward: the <paramref name="top"/> prototypes with the largest weights,
    /// heaviest first, with their weights, values and squared distances.
    /// </summary>
    public PrototypeExplanation Explain(ReadOnlySpan<float> features, int top = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(features.Length, InputDimension, nameof(features));
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var ws = (Workspace)CreateWorkspace(1);
        Span<float> reward = stackalloc float[1];
        Forward(features, 1, ws, reward);
        float tau = Temperature;
        var contributions = Enumerable.Range(0, PrototypeCount)
            .Select(k => new PrototypeContribution(k, ws.Weights[k], Values[k], ws.ScaledDistances[k] * tau))
            .OrderByDescending(c => c.Weight)
            .ThenBy(c => c.Prototype)
            .Take(top)
            .ToArray();
        return new PrototypeExplanation(reward[0], contributions);
    }

    /// <summary>d[i, k] = ‖x_i − p_k‖² = ‖x_i‖² − 2 x_i·p_k + ‖p_k‖², clamped at zero against rounding.</summary>
    private void SquaredDistances(ReadOnlySpan<float> inputs, int rows, Span<float> distances)
    {
        int k = PrototypeCount, d = InputDimension;
        ReadOnlySpan<float> centers = Centers;
        Gemm.MultiplyTransposedB(inputs, centers, default, distances, rows, k, d);
        Span<float> centerNorms = k <= 256 ? stackalloc float[k] : new float[k];
        for (int j = 0; j < k; j++)
        {
            var p = centers.Slice(j * d, d);
            centerNorms[j] = TensorPrimitives.Dot(p, p);
        }

        for (int i = 0; i < rows; i++)
        {
            var x = inputs.Slice(i * d, d);
            float inputNorm = TensorPrimitives.Dot(x, x);
            var row = distances.Slice(i * k, k);
            TensorPrimitives.Multiply(row, -2f, row);
            TensorPrimitives.Add(row, centerNorms, row);
            TensorPrimitives.Add(row, inputNorm, row);
            TensorPrimitives.Max(row, 0f, row);
        }
    }

    private static FloatMatrix SampleResponses(PairwiseDataset train, int limit, SeededRandom random)
    {
        int total = 2 * train.Count;
        int[] rows = Enumerable.Range(0, total).ToArray();
        if (total > limit)
        {
            random.Shuffle<int>(rows);
            rows = rows[..limit];
        }

        var sample = new FloatMatrix(rows.Length, train.Dimension);
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            (r < train.Count ? train.Chosen.Row(r) : train.Rejected.Row(r - train.Count)).CopyTo(sample.Row(i));
        }

        return sample;
    }

    private static int CountParameters(int inputDimension, PrototypeHeadSpec spec)
    {
        spec.Validate();
        return checked((spec.Prototypes * inputDimension) + spec.Prototypes + 1);
    }

    private sealed class Workspace(int maxRows, int prototypes) : HeadWorkspace
    {
        public override int MaxRows { get; } = maxRows;

        /// <summary>d_ik / τ of the last forward pass.</summary>
        public float[] ScaledDistances { get; } = new float[maxRows * prototypes];

        /// <summary>softmax weights w_ik of the last forward pass.</summary>
        public float[] Weights { get; } = new float[maxRows * prototypes];

        /// <summary>Rewards of the last forward pass.</summary>
        public float[] Rewards { get; } = new float[maxRows];

        /// <summary>Per-row, per-prototype coefficients of the prototype gradient.</summary>
        public float[] Coefficients { get; } = new float[maxRows * prototypes];

        public float[] Deviation { get; } = new float[prototypes];

        public float[] ColumnSums { get; } = new float[prototypes];
    }
}

/// <summary>One prototype's part in a score.</summary>
/// <param name="Prototype">Index of the prototype.</param>
/// <param name="Weight">Its softmax weight (the weights of all prototypes sum to 1).</param>
/// <param name="Value">Its learned value v_k.</param>
/// <param name="SquaredDistance">‖x − p_k‖².</param>
public sealed record PrototypeContribution(int Prototype, float Weight, float Value, float SquaredDistance);

/// <summary>A reward and the prototypes it came from.</summary>
/// <param name="Reward">r(x) = Σ_k w_k v_k.</param>
/// <param name="Nearest">The heaviest prototypes, heaviest first.</param>
public sealed record PrototypeExplanation(float Reward, IReadOnlyList<PrototypeContribution> Nearest);
