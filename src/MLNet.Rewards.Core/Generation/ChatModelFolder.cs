using System.Text.Json;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>
/// The files of a chat model folder (as in ../shared/models/SmolLM2-135M-Instruct-q4): <c>model.onnx</c>,
/// <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and <c>config.json</c>, checked to exist.
/// </summary>
internal sealed record ChatModelFolder(string Path, string Model, string TokenizerJson, string TokenizerConfigJson, string ConfigJson)
{
    /// <summary>Checks that <paramref name="folder"/> holds every file a chat model needs.</summary>
    /// <exception cref="ModelFormatException">The folder or one of its files is missing; the message names it.</exception>
    public static ChatModelFolder Open(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelFormatException(folder, "model folder not found (expected a folder with model.onnx, tokenizer.json, tokenizer_config.json and config.json)");
        }

        string File(string name)
        {
            string path = System.IO.Path.Combine(folder, name);
            return System.IO.File.Exists(path) ? path : throw new ModelFormatException(folder, $"the model folder has no {name}");
        }

        return new ChatModelFolder(folder, File("model.onnx"), File("tokenizer.json"), File("tokenizer_config.json"), File("config.json"));
    }

    /// <summary>The model's context limit, <c>max_position_embeddings</c> of config.json.</summary>
    public int MaxPositionEmbeddings()
    {
        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(ConfigJson));
            return document.RootElement.TryGetProperty("max_position_embeddings", out var value) && value.TryGetInt32(out int limit) && limit > 0
                ? limit
                : throw new ModelFormatException(ConfigJson, "has no positive integer 'max_position_embeddings'");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ConfigJson, $"not valid JSON ({e.Message})", e);
        }
    }
}
