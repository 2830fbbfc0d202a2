using System.Numerics.Tensors;

namespace MLNet.Rewards.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, the same update as PyTorch's torch.optim.AdamW.
/// </summary>
public sealed class AdamW
{
    private readonly float[] _m;
    private readonly float[] _v;
    private readonly float[] _scratch;
    private readonly AdamWOptions _options;
    private int _step;

    /// <summary>Creates an optimiser for <paramref name="parameterCount"/> parameters.</summary>
    public AdamW(int parameterCount, AdamWOptions options)
    {
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        _scratch = new float[parameterCount];
        _options = options;
    }

    /// <summary>One update of <paramref name="parameters"/> along <paramref name="gradient"/>.</summary>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        _step++;
        float lr = _options.LearningRate;
        float b1 = _options.Beta1, b2 = _options.Beta2;
        float bias1 = 1f - MathF.Pow(b1, _step);
        float bias2 = 1f - MathF.Pow(b2, _step);

        // p ← p·(1 − lr·λ)
        if (_options.WeightDecay != 0f)
        {
            TensorPrimitives.Multiply(parameters, 1f - (lr * _options.WeightDecay), parameters);
        }

        // m ← β1·m + (1 − β1)·g ;  v ← β2·v + (1 − β2)·g²
        TensorPrimitives.Multiply(_m, b1, _m);
        TensorPrimitives.MultiplyAdd(gradient, 1f - b1, _m, _m);
        TensorPrimitives.Multiply(gradient, gradient, _scratch);
        TensorPrimitives.Multiply(_v, b2, _v);
        TensorPrimitives.MultiplyAdd(_scratch, 1f - b2, _v, _v);

        // p ← p − lr/bias1 · m / (√(v/bias2) + ε)
        TensorPrimitives.Divide(_v, bias2, _scratch);
        TensorPrimitives.Sqrt(_scratch, _scratch);
        TensorPrimitives.Add(_scratch, _options.Epsilon, _scratch);
        TensorPrimitives.Divide(_m, _scratch, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, -lr / bias1, parameters, parameters);
    }
}

/// <summary>AdamW hyperparameters (PyTorch's defaults except the weight decay, which the trainer options set).</summary>
public sealed record AdamWOptions
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
