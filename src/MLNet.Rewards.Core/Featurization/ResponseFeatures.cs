using System.Numerics.Tensors;
using System.Text.Json.Serialization;

namespace MLNet.Rewards.Featurization;

/// <summary>How the feature vector of a (prompt, response) is built from the two text embeddings.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeatureLayout>))]
public enum FeatureLayout
{
    /// <summary>[e(response)]: the response alone.</summary>
    Response,

    /// <summary>
    /// [e(response), e(prompt) ⊙ e(response)]: the response plus its element-wise agreement with the prompt, so that even a
    /// linear head can reward responses that fit their prompt.
    /// </summary>
    ResponseAndPromptProduct,
}

/// <summary>Builds response feature vectors from prompt and response embeddings.</summary>
internal static class ResponseFeatures
{
    /// <summary>Feature length for embeddings of <paramref name="embeddingDimension"/>.</summary>
    public static int Dimension(FeatureLayout layout, int embeddingDimension) => layout switch
    {
        FeatureLayout.Response => embeddingDimension,
        FeatureLayout.ResponseAndPromptProduct => 2 * embeddingDimension,
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "unknown feature layout"),
    };

    /// <summary>Writes the features of one (prompt, response) into <paramref name="destination"/>.</summary>
    public static void Build(FeatureLayout layout, ReadOnlySpan<float> prompt, ReadOnlySpan<float> response, Span<float> destination)
    {
        int d = response.Length;
        response.CopyTo(destination);
        if (layout == FeatureLayout.ResponseAndPromptProduct)
        {
            TensorPrimitives.Multiply(prompt, response, destination.Slice(d, d));
        }
    }
}
