using System.Text.Json.Nodes;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Guidance;

/// <summary>
/// Keeps an <see cref="ArmFeatureExtractor"/>'s computed features in a file (a model zip of component
/// <c>genarm-features</c>: the texts and settings in the manifest, the features as tensors), so that training heads
/// again — other hyperparameters, another principle over the same texts — does not run the base model again. Features
/// are reused only when the extraction settings and the base model file are the same.
/// </summary>
internal static class ArmFeatureStore
{
    /// <summary>The manifest's <c>component</c>.</summary>
    public const string ComponentName = "genarm-features";

    /// <summary>Writes every text the extractor has computed, atomically.</summary>
    public static void Save(string path, ArmFeatureExtractor extractor)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        var entries = extractor.Computed.ToList();
        int hidden = entries.Count == 0 ? 0 : entries[0].Value.HiddenSize;
        int k = extractor.Options.TopK;
        int total = entries.Sum(e => e.Value.Length);
        var hiddenData = new float[total * hidden];
        var ids = new float[total * k];
        var logits = new float[total * k];
        var perPosition = new float[4 * total];
        var texts = new JsonArray();
        int at = 0;
        foreach (var ((prompt, response), f) in entries)
        {
            f.Hidden.CopyTo(hiddenData, at * hidden);
            for (int i = 0; i < f.CandidateIds.Length; i++)
            {
                ids[(at * k) + i] = f.CandidateIds[i];
            }

            f.CandidateLogits.CopyTo(logits, at * k);
            for (int t = 0; t < f.Length; t++)
            {
                int row = 4 * (at + t);
                (perPosition[row], perPosition[row + 1], perPosition[row + 2], perPosition[row + 3]) = (f.LogRest[t], f.Targets[t], f.TargetLogits[t], f.TargetSlots[t]);
            }

            texts.Add(new JsonObject { ["prompt"] = prompt, ["response"] = response, ["length"] = f.Length });
            at += f.Length;
        }

        var body = new JsonObject
        {
            ["settings"] = Settings(extractor),
            ["hiddenSize"] = hidden,
            ["positions"] = total,
            ["texts"] = texts,
        };
        ModelArchive.Save(path, ComponentName, body,
        [
            new NamedTensor("hidden", [total, hidden], hiddenData),
            new NamedTensor("candidateIds", [total, k], ids),
            new NamedTensor("candidateLogits", [total, k], logits),
            new NamedTensor("perPosition", [total, 4], perPosition),
        ]);
    }

    /// <summary>
    /// Adds the stored features to <paramref name="extractor"/> when they were made with its settings and base model;
    /// returns how many texts were added (0 when the settings differ).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is corrupt or not a feature store.</exception>
    public static int Load(string path, ArmFeatureExtractor extractor)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        var contents = ModelArchive.Load(path, ComponentName);
        if (!JsonNode.DeepEquals(contents.Manifest["settings"], Settings(extractor)))
        {
            return 0;
        }

        int hidden = contents.Get<int>("hiddenSize"), total = contents.Get<int>("positions"), k = extractor.Options.TopK;
        var hiddenData = contents.Tensor("hidden", [total, hidden]);
        var ids = contents.Tensor("candidateIds", [total, k]);
        var logits = contents.Tensor("candidateLogits", [total, k]);
        var perPosition = contents.Tensor("perPosition", [total, 4]);
        var texts = contents.Get<List<StoredText>>("texts");
        if (texts.Sum(t => t.Length) != total)
        {
            throw new ModelFormatException(path, $"the texts hold {texts.Sum(t => t.Length)} positions but the tensors {total}");
        }

        int at = 0;
        foreach (var text in texts)
        {
            var f = new ArmTextFeatures(text.Length, hidden, k);
            hiddenData.AsSpan(at * hidden, text.Length * hidden).CopyTo(f.Hidden);
            for (int i = 0; i < f.CandidateIds.Length; i++)
            {
                f.CandidateIds[i] = (int)ids[(at * k) + i];
            }

            logits.AsSpan(at * k, text.Length * k).CopyTo(f.CandidateLogits);
            for (int t = 0; t < text.Length; t++)
            {
                int row = 4 * (at + t);
                (f.LogRest[t], f.Targets[t], f.TargetLogits[t], f.TargetSlots[t]) = (perPosition[row], (int)perPosition[row + 1], perPosition[row + 2], (int)perPosition[row + 3]);
            }

            extractor.Add(text.Prompt, text.Response, f);
            at += text.Length;
        }

        return texts.Count;
    }

    private static JsonObject Settings(ArmFeatureExtractor extractor) => new()
    {
        ["topK"] = extractor.Options.TopK,
        ["maxPromptTokens"] = extractor.Options.MaxPromptTokens,
        ["maxResponseTokens"] = extractor.Options.MaxResponseTokens,
        ["baseModel"] = extractor.ModelIdentity,
    };

    private sealed record StoredText(string Prompt, string Response, int Length);
}
