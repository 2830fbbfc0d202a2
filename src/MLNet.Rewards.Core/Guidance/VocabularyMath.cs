using System.Numerics.Tensors;

namespace MLNet.Rewards.Guidance;

/// <summary>Log-sum-exp over a top-K set of logits plus the rest of the vocabulary given as one log-mass.</summary>
internal static class VocabularyMath
{
    /// <summary>
    /// log( exp(<paramref name="logRest"/>) + Σ_j exp(<paramref name="logits"/>[j]) ): the normaliser of a distribution
    /// whose top-K logits are given and whose remaining mass is given as a log.
    /// </summary>
    public static float LogSumExpWithRest(ReadOnlySpan<float> logits, float logRest)
    {
        float max = float.IsNegativeInfinity(logRest) ? TensorPrimitives.Max(logits) : MathF.Max(TensorPrimitives.Max(logits), logRest);
        double sum = float.IsNegativeInfinity(logRest) ? 0 : Math.Exp(logRest - max);
        foreach (float v in logits)
        {
            sum += Math.Exp(v - max);
        }

        return max + (float)Math.Log(sum);
    }
}
