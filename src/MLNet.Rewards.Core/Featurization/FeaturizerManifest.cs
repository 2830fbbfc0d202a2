using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// The featurizer part of a model manifest, shared by every model over response features: <c>featurizer</c> (the spec),
/// <c>featureLayout</c> and <c>inputDimension</c>, checked against each other on load.
/// </summary>
internal static class FeaturizerManifest
{
    /// <summary>Adds the featurizer entries of <paramref name="featurizer"/> to a manifest body.</summary>
    public static void Write(JsonObject body, PairFeaturizer featurizer)
    {
        body["featurizer"] = JsonSerializer.SerializeToNode<FeaturizerSpec>(featurizer.Embedder.Spec, ModelArchive.JsonOptions);
        body["featureLayout"] = JsonSerializer.SerializeToNode(featurizer.Layout, ModelArchive.JsonOptions);
        body["inputDimension"] = featurizer.Dimension;
    }

    /// <summary>Reads the featurizer entries, checking that the layout over the featurizer gives the recorded input dimension.</summary>
    /// <exception cref="ModelFormatException">An entry is missing or malformed, or the dimensions disagree.</exception>
    public static (FeaturizerSpec Spec, FeatureLayout Layout, int InputDimension) Read(ModelContents contents)
    {
        var spec = contents.Get<FeaturizerSpec>("featurizer");
        var layout = contents.Get<FeatureLayout>("featureLayout");
        int inputDimension = contents.Get<int>("inputDimension");
        int expected = ResponseFeatures.Dimension(layout, spec.Dimension);
        if (inputDimension != expected)
        {
            throw new ModelFormatException(contents.Path, $"inputDimension is {inputDimension} but the featurizer ({spec.Dimension}) with layout {layout} gives {expected}");
        }

        return (spec, layout, inputDimension);
    }
}
