using MLNet.Rewards.Kernels;

namespace MLNet.Rewards.Heads;

/// <summary>
/// Dense layers with ReLU between them and a scalar output: r(x) = W_L·relu(…relu(W_1·x + b_1)…) + b_L.
/// Weights are stored [out, in] row-major, as PyTorch's nn.Linear stores them.
/// </summary>
public sealed class MlpRewardHead : RewardHead
{
    private readonly DenseStack _layers;
    private readonly MlpHeadSpec _spec;

    /// <summary>
    /// Creates the head with PyTorch's default initialisation: weights and biases uniform in ±1/√fan_in,
    /// drawn from <paramref name="seed"/>.
    /// </summary>
    public MlpRewardHead(int inputDimension, IReadOnlyList<int> hiddenSizes, long seed)
        : this(inputDimension, hiddenSizes, CreateLayers(inputDimension, hiddenSizes), seed)
    {
    }

    private MlpRewardHead(int inputDimension, IReadOnlyList<int> hiddenSizes, DenseStack layers, long seed)
        : base(inputDimension, layers.ParameterCount)
    {
        _layers = layers;
        _spec = new MlpHeadSpec { HiddenSizes = [.. hiddenSizes] };
        _layers.Initialize(Parameters, new SeededRandom(seed));
    }

    /// <inheritdoc />
    public override HeadSpec Spec => _spec;

    /// <inheritdoc />
    internal override IReadOnlyList<TensorSlice> Layout => [.. _layers.Layout()];

    /// <inheritdoc />
    internal override HeadWorkspace CreateWorkspace(int maxRows) => new Workspace(maxRows, _layers.CreateBuffers(maxRows));

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, Span<float> rewards)
        => _layers.Forward(Parameters, inputs, rows, ((Workspace)workspace).Buffers)[..rows].CopyTo(rewards);

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, ReadOnlySpan<float> rewardGradients, Span<float> gradient)
        => _layers.Backward(Parameters, inputs, rows, ((Workspace)workspace).Buffers, rewardGradients, gradient);

    private static DenseStack CreateLayers(int inputDimension, IReadOnlyList<int> hiddenSizes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDimension, 1);
        if (hiddenSizes.Any(h => h < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), string.Join(",", hiddenSizes), "every hidden layer needs at least one unit");
        }

        return new DenseStack([inputDimension, .. hiddenSizes, 1]);
    }

    private sealed class Workspace(int maxRows, DenseStack.Buffers buffers) : HeadWorkspace
    {
        public override int MaxRows { get; } = maxRows;

        public DenseStack.Buffers Buffers { get; } = buffers;
    }
}
