using System.Numerics.Tensors;

namespace MLNet.Rewards.Training;

/// <summary>
/// Training produced a non-finite loss or weight (NaN or infinity), usually from a learning rate too high for the data or
/// from non-finite features. Training stops at once; no model is returned, so none can be saved.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception; <paramref name="what"/> says what became non-finite and where.</summary>
    public TrainingDivergedException(string what)
        : base($"training diverged: {what}; lower the learning rate, or check the features for NaN or infinity")
    {
        What = what;
    }

    /// <summary>What became non-finite, and where.</summary>
    public string What { get; }

    /// <summary>Throws unless <paramref name="loss"/> is finite.</summary>
    public static void ThrowIfNotFinite(double loss, string where)
    {
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException($"the {where} is {loss}");
        }
    }

    /// <summary>Throws unless every value of <paramref name="weights"/> is finite, naming the first bad one.</summary>
    public static void ThrowIfNotFinite(ReadOnlySpan<float> weights, string where)
    {
        if (!TensorPrimitives.IsFiniteAll(weights))
        {
            int index = 0;
            while (float.IsFinite(weights[index]))
            {
                index++;
            }

            throw new TrainingDivergedException($"weight {index} of the {where} is {weights[index]}");
        }
    }
}
