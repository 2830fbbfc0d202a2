using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Models;

/// <summary>The featurizer part of a model manifest (featurizer spec, feature layout, head input dimension), written and checked alike by every model over text.</summary>
internal static class FeaturizerManifest
{
    /// <summary>Adds <c>featurizer</c>, <c>featureLayout</c> and <c>inputDimension</c> to <paramref name="body"/>.</summary>
    public static void Write(JsonObject body, PairFeaturizer featurizer)
    {
        body["featurizer"] = JsonSerializer.SerializeToNode<FeaturizerSpec>(featurizer.Embedder.Spec, ModelArchive.JsonOptions);
        body["featureLayout"] = JsonSerializer.SerializeToNode(featurizer.Layout, ModelArchive.JsonOptions);
        body["inputDimension"] = featurizer.Dimension;
    }

    /// <summary>Reads the featurizer back, checking that the recorded input dimension is what it builds.</summary>
    public static (ITextEmbedder Embedder, FeatureLayout Layout, int InputDimension) Read(ModelContents contents, FeaturizerContext? context)
    {
        var featurizerSpec = contents.Get<FeaturizerSpec>("featurizer");
        var layout = contents.Get<FeatureLayout>("featureLayout");
        int inputDimension = contents.Get<int>("inputDimension");
        int expected = ResponseFeatures.Dimension(layout, featurizerSpec.Dimension);
        if (inputDimension != expected)
        {
            throw new ModelFormatException(contents.Path, $"inputDimension is {inputDimension} but the featurizer ({featurizerSpec.Dimension}) with layout {layout} gives {expected}");
        }

        return (featurizerSpec.CreateEmbedder(context ?? FeaturizerContext.Default), layout, inputDimension);
    }
}
