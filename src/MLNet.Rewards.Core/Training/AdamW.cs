using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.Rewards.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, the same update as PyTorch's torch.optim.AdamW.
/// </summary>
internal sealed class AdamW
{
    /// <summary>Elements one thread updates at a time in <see cref="Step(float[], float[], int)"/>: 64 K floats.</summary>
    private const int Chunk = 1 << 16;

    private readonly float[] _m;
    private readonly float[] _v;
    private readonly AdamWOptions _options;
    private int _step;

    /// <summary>Creates an optimiser for <paramref name="parameterCount"/> parameters.</summary>
    public AdamW(int parameterCount, AdamWOptions options)
    {
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        _options = options;
    }

    /// <summary>One update of <paramref name="parameters"/> along <paramref name="gradient"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        CheckLengths(parameters.Length, gradient.Length);
        var step = NextStep();
        step.Apply(parameters, gradient, _m, _v);
    }

    /// <summary>
    /// One update of <paramref name="parameters"/> along <paramref name="gradient"/>, spread over up to
    /// <paramref name="maxDegreeOfParallelism"/> threads. The update is elementwise, so the result is the same for any
    /// number of threads.
    /// </summary>
    public void Step(float[] parameters, float[] gradient, int maxDegreeOfParallelism)
    {
        CheckLengths(parameters.Length, gradient.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        var step = NextStep();
        int chunks = (parameters.Length + Chunk - 1) / Chunk;
        if (maxDegreeOfParallelism == 1 || chunks == 1)
        {
            step.Apply(parameters, gradient, _m, _v);
            return;
        }

        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, c =>
        {
            int start = c * Chunk;
            int length = Math.Min(Chunk, parameters.Length - start);
            step.Apply(parameters.AsSpan(start, length), gradient.AsSpan(start, length), _m.AsSpan(start, length), _v.AsSpan(start, length));
        });
    }

    private void CheckLengths(int parameters, int gradient)
    {
        if (parameters != _m.Length || gradient != _m.Length)
        {
            throw new ArgumentException($"the optimiser holds {_m.Length} parameters but got {parameters} parameters and {gradient} gradients");
        }
    }

    private StepConstants NextStep()
    {
        _step++;
        float lr = _options.LearningRate;
        return new StepConstants(
            Decay: 1f - (lr * _options.WeightDecay),
            Beta1: _options.Beta1,
            Beta2: _options.Beta2,
            StepSize: lr / (1f - MathF.Pow(_options.Beta1, _step)),
            InverseSqrtBias2: 1f / MathF.Sqrt(1f - MathF.Pow(_options.Beta2, _step)),
            Epsilon: _options.Epsilon);
    }

    /// <summary>The scalars of one step, and the fused update (one pass over p, g, m, v) in PyTorch's order of operations.</summary>
    private readonly record struct StepConstants(float Decay, float Beta1, float Beta2, float StepSize, float InverseSqrtBias2, float Epsilon)
    {
        public void Apply(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> m, Span<float> v)
        {
            ref float p = ref MemoryMarshal.GetReference(parameters);
            ref float g = ref MemoryMarshal.GetReference(gradient);
            ref float mRef = ref MemoryMarshal.GetReference(m);
            ref float vRef = ref MemoryMarshal.GetReference(v);
            var decay = Vector256.Create(Decay);
            var beta1 = Vector256.Create(Beta1);
            var oneMinusBeta1 = Vector256.Create(1f - Beta1);
            var beta2 = Vector256.Create(Beta2);
            var oneMinusBeta2 = Vector256.Create(1f - Beta2);
            var stepSize = Vector256.Create(StepSize);
            var inverseSqrtBias2 = Vector256.Create(InverseSqrtBias2);
            var epsilon = Vector256.Create(Epsilon);
            int i = 0;

            // Where 256-bit vectors would be emulated a lane at a time (Arm64, x86 before AVX2), the scalar loop does it all.
            for (; Vector256.IsHardwareAccelerated && i + Vector256<float>.Count <= parameters.Length; i += Vector256<float>.Count)
            {
                nuint at = (nuint)i;
                var gi = Vector256.LoadUnsafe(ref g, at);
                var mi = Vector256.FusedMultiplyAdd(gi, oneMinusBeta1, Vector256.LoadUnsafe(ref mRef, at) * beta1);
                var vi = Vector256.FusedMultiplyAdd(gi * gi, oneMinusBeta2, Vector256.LoadUnsafe(ref vRef, at) * beta2);
                var denominator = Vector256.FusedMultiplyAdd(Vector256.Sqrt(vi), inverseSqrtBias2, epsilon);
                var pi = Vector256.LoadUnsafe(ref p, at) * decay;
                (pi - (stepSize * mi / denominator)).StoreUnsafe(ref p, at);
                mi.StoreUnsafe(ref mRef, at);
                vi.StoreUnsafe(ref vRef, at);
            }

            for (; i < parameters.Length; i++)
            {
                float gi = gradient[i];
                float mi = MathF.FusedMultiplyAdd(gi, 1f - Beta1, m[i] * Beta1);
                float vi = MathF.FusedMultiplyAdd(gi * gi, 1f - Beta2, v[i] * Beta2);
                float denominator = MathF.FusedMultiplyAdd(MathF.Sqrt(vi), InverseSqrtBias2, Epsilon);
                parameters[i] = (parameters[i] * Decay) - (StepSize * mi / denominator);
                m[i] = mi;
                v[i] = vi;
            }
        }
    }
}

/// <summary>AdamW hyperparameters (PyTorch's defaults except the weight decay, which the trainer options set).</summary>
internal sealed record AdamWOptions
{
    /// <summary>Step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Decoupled weight decay λ.</summary>
    public float WeightDecay { get; init; } = 1e-2f;

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Denominator guard.</summary>
    public float Epsilon { get; init; } = 1e-8f;
}
