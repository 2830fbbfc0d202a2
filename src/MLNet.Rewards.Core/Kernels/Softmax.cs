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
}
