using MLNet.Rewards.Kernels;

namespace MLNet.Rewards.Heads;

/// <summary>
/// Dense layers with ReLU between them and a scalar output: r(x) = W_L·relu(…relu(W_1·x + b_1)…) + b_L.
/// Weights are stored [out, in] row-major, as PyTorch's nn.Linear stores them.
/// </summary>
public sealed class MlpRewardHead : RewardHead
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;
    private readonly MlpHeadSpec _spec;

    /// <summary>
    /// Creates the head with PyTorch's default initialisation: weights and biases uniform in ±1/√fan_in,
    /// drawn from <paramref name="seed"/>.
    /// </summary>
    public MlpRewardHead(int inputDimension, IReadOnlyList<int> hiddenSizes, long seed)
        : base(inputDimension, CountParameters(inputDimension, hiddenSizes))
    {
        if (hiddenSizes.Any(h => h < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(hiddenSizes), string.Join(",", hiddenSizes), "every hidden layer needs at least one unit");
        }

        _spec = new MlpHeadSpec { HiddenSizes = [.. hiddenSizes] };
        _sizes = [inputDimension, .. hiddenSizes, 1];
        _weightOffsets = new int[LayerCount];
        _biasOffsets = new int[LayerCount];
        int offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            _weightOffsets[l] = offset;
            offset += _sizes[l + 1] * _sizes[l];
            _biasOffsets[l] = offset;
            offset += _sizes[l + 1];
        }

        var random = new SeededRandom(seed);
        for (int l = 0; l < LayerCount; l++)
        {
            float bound = 1f / MathF.Sqrt(_sizes[l]);
            var layer = Parameters.AsSpan(_weightOffsets[l], (_sizes[l + 1] * _sizes[l]) + _sizes[l + 1]);
            for (int i = 0; i < layer.Length; i++)
            {
                layer[i] = ((2f * random.NextSingle()) - 1f) * bound;
            }
        }
    }

    private int LayerCount => _sizes.Length - 1;

    /// <inheritdoc />
    public override HeadSpec Spec => _spec;

    /// <inheritdoc />
    public override IReadOnlyList<TensorSlice> Layout
    {
        get
        {
            var slices = new List<TensorSlice>();
            for (int l = 0; l < LayerCount; l++)
            {
                slices.Add(new TensorSlice($"layers.{l}.weight", _weightOffsets[l], [_sizes[l + 1], _sizes[l]]));
                slices.Add(new TensorSlice($"layers.{l}.bias", _biasOffsets[l], [_sizes[l + 1]]));
            }

            return slices;
        }
    }

    /// <inheritdoc />
    public override HeadWorkspace CreateWorkspace(int maxRows) => new Workspace(maxRows, _sizes);

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, Span<float> rewards)
    {
        var ws = (Workspace)workspace;
        ReadOnlySpan<float> previous = inputs[..(rows * _sizes[0])];
        for (int l = 0; l < LayerCount; l++)
        {
            int inSize = _sizes[l], outSize = _sizes[l + 1];
            var output = ws.Activations[l].AsSpan(0, rows * outSize);
            Gemm.MultiplyTransposedB(previous, Weight(l), Bias(l), output, rows, outSize, inSize, relu: l < LayerCount - 1);

            previous = output;
        }

        previous[..rows].CopyTo(rewards);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, ReadOnlySpan<float> rewardGradients, Span<float> gradient)
    {
        var ws = (Workspace)workspace;
        var delta = ws.DeltaA.AsSpan(0, rows);
        bool deltaInA = true;
        rewardGradients[..rows].CopyTo(delta);
        for (int l = LayerCount - 1; l >= 0; l--)
        {
            int inSize = _sizes[l], outSize = _sizes[l + 1];
            ReadOnlySpan<float> layerInput = l == 0 ? inputs[..(rows * inSize)] : ws.Activations[l - 1].AsSpan(0, rows * inSize);
            Gemm.AddTransposedAMultiply(delta, layerInput, gradient.Slice(_weightOffsets[l], outSize * inSize), rows, outSize, inSize);
            Gemm.AddColumnSums(delta, gradient.Slice(_biasOffsets[l], outSize), rows, outSize);
            if (l == 0)
            {
                break;
            }

            var next = (deltaInA ? ws.DeltaB : ws.DeltaA).AsSpan(0, rows * inSize);
            deltaInA = !deltaInA;
            Gemm.Multiply(delta, Weight(l), next, rows, outSize, inSize);
            Gemm.ReluBackward(layerInput, next);
            delta = next;
        }
    }

    private ReadOnlySpan<float> Weight(int layer) => Parameters.AsSpan(_weightOffsets[layer], _sizes[layer + 1] * _sizes[layer]);

    private ReadOnlySpan<float> Bias(int layer) => Parameters.AsSpan(_biasOffsets[layer], _sizes[layer + 1]);

    private static int CountParameters(int inputDimension, IReadOnlyList<int> hiddenSizes)
    {
        long count = 0;
        int previous = inputDimension;
        foreach (int size in hiddenSizes.Append(1))
        {
            count += ((long)size * previous) + size;
            previous = size;
        }

        return checked((int)count);
    }

    private sealed class Workspace : HeadWorkspace
    {
        public Workspace(int maxRows, int[] sizes)
        {
            MaxRows = maxRows;
            Activations = [.. sizes.Skip(1).Select(s => new float[maxRows * s])];
            int widest = sizes.Skip(1).Max();
            DeltaA = new float[maxRows * widest];
            DeltaB = new float[maxRows * widest];
        }

        public override int MaxRows { get; }

        /// <summary>Post-activation output of each layer (the last one is the reward).</summary>
        public float[][] Activations { get; }

        /// <summary>Two ping-pong buffers for back-propagated gradients.</summary>
        public float[] DeltaA { get; }

        public float[] DeltaB { get; }
    }
}
