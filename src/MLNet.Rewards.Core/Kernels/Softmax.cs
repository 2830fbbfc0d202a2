using System.Numerics.Tensors;

namespace MLNet.Rewards.Kernels;

/// <summary>A softmax that does not overflow: the largest scaled logit is subtracted before exponentiating.</summary>
internal static class Softmax
{
    /// <summary>output = softmax(logits · <paramref name="scale"/>); <paramref name="output"/> may alias <paramref name="logits"/>.</summary>
    public static void Scaled(ReadOnlySpan<float> logits, float scale, Span<float> output)
    {
        TensorPrimitives.Multiply(logits, scale, output);
        TensorPrimitives.Subtract(output, TensorPrimitives.Max(output), output);
        TensorPrimitives.Exp(output, output);
        TensorPrimitives.Divide(output, TensorPrimitives.Sum(output), output);
    }

    /// <summary>
    /// A softmax's normaliser in a form that does not overflow: the largest logit and Σ exp(logit − max), so that
    /// log Σ exp(logit) = Max + log(Sum). <paramref name="scratch"/> (at least as long as the logits) receives the shifted
    /// exponentials.
    /// </summary>
    public static (float Max, float Sum) Normalizer(ReadOnlySpan<float> logits, Span<float> scratch)
    {
        var shifted = scratch[..logits.Length];
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, shifted);
        TensorPrimitives.Exp(shifted, shifted);
        return (max, TensorPrimitives.Sum(shifted));
    }
}
