using System.Text.Json;

namespace MLNet.Rewards.Tokenization;

/// <summary>Reads the JSON configuration files of a Hugging Face / sentence-transformers model folder.</summary>
internal static class ModelConfigFile
{
    /// <summary>The parsed file <paramref name="name"/> of <paramref name="directory"/>, or null when it is absent.</summary>
    public static JsonDocument? Read(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }
}
