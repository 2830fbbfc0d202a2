using System.Numerics.Tensors;
using MLNet.Rewards.Heads;

namespace MLNet.Rewards.Kernels;

/// <summary>
/// A stack of dense layers with ReLU between them (none after the last), over a slice of a head's parameter buffer:
/// the forward and backward passes shared by the MLP reward head and the gating network. Weights are stored [out, in]
/// row-major, each followed by its bias, as PyTorch's nn.Linear stores them.
/// </summary>
internal sealed class DenseStack
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;

    /// <summary>Creates the stack for layer widths <paramref name="sizes"/> (input first, output last), laid out from offset 0.</summary>
    public DenseStack(IReadOnlyList<int> sizes)
    {
        if (sizes.Count < 2 || sizes.Any(s => s < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(sizes), string.Join(",", sizes), "a dense stack needs at least an input and an output size, every one at least 1");
        }

        _sizes = [.. sizes];
        _weightOffsets = new int[LayerCount];
        _biasOffsets = new int[LayerCount];
        long offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            _weightOffsets[l] = checked((int)offset);
            offset += (long)_sizes[l + 1] * _sizes[l];
            _biasOffsets[l] = checked((int)offset);
            offset += _sizes[l + 1];
        }

        ParameterCount = checked((int)offset);
    }

    /// <summary>Number of parameters (weights and biases of every layer).</summary>
    public int ParameterCount { get; }

    /// <summary>Width of the output layer.</summary>
    public int OutputSize => _sizes[^1];

    /// <summary>Width of the input.</summary>
    public int InputSize => _sizes[0];

    private int LayerCount => _sizes.Length - 1;

    /// <summary>PyTorch's default initialisation: every weight and bias uniform in ±1/√fan_in, layer by layer.</summary>
    public void Initialize(Span<float> parameters, SeededRandom random)
    {
        for (int l = 0; l < LayerCount; l++)
        {
            float bound = 1f / MathF.Sqrt(_sizes[l]);
            var layer = parameters.Slice(_weightOffsets[l], (_sizes[l + 1] * _sizes[l]) + _sizes[l + 1]);
            for (int i = 0; i < layer.Length; i++)
            {
                layer[i] = ((2f * random.NextSingle()) - 1f) * bound;
            }
        }
    }

    /// <summary>The named weight and bias tensors, at <paramref name="baseOffset"/> in the head's buffer.</summary>
    public IEnumerable<TensorSlice> Layout(string prefix = "", int baseOffset = 0)
    {
        for (int l = 0; l < LayerCount; l++)
        {
            yield return new TensorSlice($"{prefix}layers.{l}.weight", baseOffset + _weightOffsets[l], [_sizes[l + 1], _sizes[l]]);
            yield return new TensorSlice($"{prefix}layers.{l}.bias", baseOffset + _biasOffsets[l], [_sizes[l + 1]]);
        }
    }

    /// <summary>Scratch buffers for up to <paramref name="maxRows"/> rows.</summary>
    public Buffers CreateBuffers(int maxRows) => new(maxRows, _sizes);

    /// <summary>Runs the layers on <paramref name="rows"/> input rows; returns the output (rows x <see cref="OutputSize"/>), which lives in <paramref name="buffers"/>.</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Buffers buffers)
    {
        ReadOnlySpan<float> previous = inputs[..(rows * _sizes[0])];
        for (int l = 0; l < LayerCount; l++)
        {
            int inSize = _sizes[l], outSize = _sizes[l + 1];
            var output = buffers.Activations[l].AsSpan(0, rows * outSize);
            Gemm.MultiplyTransposedB(previous, Weight(parameters, l), Bias(parameters, l), output, rows, outSize, inSize, relu: l < LayerCount - 1);

            previous = output;
        }

        return previous;
    }

    /// <summary>
    /// Adds to <paramref name="gradient"/> (laid out like the stack's parameters) the gradient of Σ outputGradients ⊙ output,
    /// using the activations kept by the last <see cref="Forward"/> on the same rows.
    /// </summary>
    public void Backward(ReadOnlySpan<float> parameters, ReadOnlySpan<float> inputs, int rows, Buffers buffers, ReadOnlySpan<float> outputGradients, Span<float> gradient)
    {
        var delta = buffers.DeltaA.AsSpan(0, rows * OutputSize);
        bool deltaInA = true;
        outputGradients[..(rows * OutputSize)].CopyTo(delta);
        for (int l = LayerCount - 1; l >= 0; l--)
        {
            int inSize = _sizes[l], outSize = _sizes[l + 1];
            ReadOnlySpan<float> layerInput = l == 0 ? inputs[..(rows * inSize)] : buffers.Activations[l - 1].AsSpan(0, rows * inSize);
            Gemm.AddTransposedAMultiply(delta, layerInput, gradient.Slice(_weightOffsets[l], outSize * inSize), rows, outSize, inSize);
            Gemm.AddColumnSums(delta, gradient.Slice(_biasOffsets[l], outSize), rows, outSize);
            if (l == 0)
            {
                break;
            }

            var next = (deltaInA ? buffers.DeltaB : buffers.DeltaA).AsSpan(0, rows * inSize);
            deltaInA = !deltaInA;
            Gemm.Multiply(delta, Weight(parameters, l), next, rows, outSize, inSize);
            Gemm.ReluBackward(layerInput, next);
            delta = next;
        }
    }

    private ReadOnlySpan<float> Weight(ReadOnlySpan<float> parameters, int layer) => parameters.Slice(_weightOffsets[layer], _sizes[layer + 1] * _sizes[layer]);

    private ReadOnlySpan<float> Bias(ReadOnlySpan<float> parameters, int layer) => parameters.Slice(_biasOffsets[layer], _sizes[layer + 1]);

    /// <summary>Per-thread activations and back-propagation buffers of a <see cref="DenseStack"/>.</summary>
    internal sealed class Buffers
    {
        public Buffers(int maxRows, int[] sizes)
        {
            Activations = [.. sizes.Skip(1).Select(s => new float[maxRows * s])];
            int widest = sizes.Skip(1).Max();
            DeltaA = new float[maxRows * widest];
            DeltaB = new float[maxRows * widest];
        }

        /// <summary>Post-activation output of each layer (the last one is the stack's output).</summary>
        public float[][] Activations { get; }

        /// <summary>Two ping-pong buffers for back-propagated gradients.</summary>
        public float[] DeltaA { get; }

        /// <summary>The second ping-pong buffer.</summary>
        public float[] DeltaB { get; }
    }
}
