using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// The model zip shared by every component: <c>manifest.json</c> (format version, component type, the component's own
/// description, and the SHA-256 of the weights) plus <c>weights.safetensors</c>. Saving writes a temporary file in the
/// target folder and renames it over the target (<see cref="AtomicFile"/>), so a crash never leaves a half-written model. Loading checks the
/// format version, the component type and the checksum before anything is used.
/// </summary>
public static class ModelArchive
{
    /// <summary>The format version this library writes; it reads this version and older ones it knows.</summary>
    public const int FormatVersion = 1;

    /// <summary>Name of the manifest entry.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>Name of the weights entry.</summary>
    public const string WeightsEntry = "weights.safetensors";

    /// <summary>Options for every manifest: camelCase, indented, enums as strings.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Writes a model zip atomically (<see cref="AtomicFile"/>: a directory, device or pipe at <paramref name="path"/> is
    /// refused, and temporary files left by killed saves in its folder are removed). <paramref name="body"/> is the
    /// component's own description (dimensions, featurizer, hyperparameters, training metadata, metrics); the archive
    /// adds <c>formatVersion</c>, <c>component</c> and <c>weights</c> (file name, size and SHA-256).
    /// </summary>
    public static void Save(string path, string component, JsonObject body, IReadOnlyList<NamedTensor> tensors) =>
        AtomicFile.Write(path, ToBytes(component, body, tensors));

    /// <summary>
    /// The bytes of the model zip that <see cref="Save"/> would write, for containers that embed a model in another file
    /// (the ML.NET layer carries them inside an ML.NET model zip).
    /// </summary>
    public static byte[] ToBytes(string component, JsonObject body, IReadOnlyList<NamedTensor> tensors)
    {
        byte[] weights = SafeTensors.Write(tensors, new Dictionary<string, string> { ["component"] = component });
        var manifest = new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["component"] = component,
            ["library"] = typeof(ModelArchive).Assembly.GetName().Version?.ToString(),
            ["weights"] = new JsonObject
            {
                ["file"] = WeightsEntry,
                ["bytes"] = weights.Length,
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(weights)),
            },
        };
        foreach (var (key, value) in body)
        {
            manifest[key] = value?.DeepClone();
        }

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            WriteEntry(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, JsonOptions), CompressionLevel.Optimal);
            WriteEntry(zip, WeightsEntry, weights, CompressionLevel.Fastest);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Opens a model zip and checks it: a readable zip with both entries, a supported format version, the expected
    /// <paramref name="component"/> (or any, when null), and weights whose size and SHA-256 match the manifest.
    /// </summary>
    /// <exception cref="ModelFormatException">Any check fails; the message says which.</exception>
    public static ModelContents Load(string path, string? component = null)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "model file not found");
        }

        return FromBytes(File.ReadAllBytes(path), path, component);
    }

    /// <summary>
    /// Checks and opens a model zip held in memory (see <see cref="ToBytes"/>), with the same checks as <see cref="Load"/>;
    /// <paramref name="sourceName"/> names it in error messages.
    /// </summary>
    /// <exception cref="ModelFormatException">Any check fails; the message says which.</exception>
    public static ModelContents FromBytes(byte[] zipBytes, string sourceName, string? component = null)
    {
        string path = sourceName;
        byte[] manifestBytes, weights;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes, writable: false), ZipArchiveMode.Read);
            manifestBytes = ReadEntry(zip, ManifestEntry, path);
            weights = ReadEntry(zip, WeightsEntry, path);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"not a valid model zip (truncated or corrupt: {e.Message})", e);
        }

        var (manifest, actualComponent) = ReadManifest(manifestBytes, path);
        if (component is not null && actualComponent != component)
        {
            throw new ModelFormatException(path, $"holds a '{actualComponent}' model, not a '{component}' model");
        }

        string? expectedHash = manifest["weights"]?["sha256"]?.GetValue<string>();
        string actualHash = Convert.ToHexStringLower(SHA256.HashData(weights));
        if (expectedHash is null || !string.Equals(expectedHash, actualHash, StringComparison.Ordinal))
        {
            throw new ModelFormatException(path, $"the weights checksum does not match the manifest (expected {expectedHash ?? "none"}, found {actualHash}): the file is corrupt or was edited");
        }

        return new ModelContents(path, actualComponent, manifest, SafeTensors.Read(weights, path));
    }

    /// <summary>
    /// The component a model zip holds, from its manifest alone (the weights are neither read nor hashed): for choosing
    /// which model type to load. The manifest gets the same checks as in <see cref="Load"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, not a model zip, or its manifest is malformed or too new.</exception>
    public static string ReadComponent(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "model file not found");
        }

        byte[] manifestBytes;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            manifestBytes = ReadEntry(zip, ManifestEntry, path);
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"not a valid model zip (truncated or corrupt: {e.Message})", e);
        }

        return ReadManifest(manifestBytes, path).Component;
    }

    /// <summary>Parses a manifest and checks its format version and component entry.</summary>
    private static (JsonObject Manifest, string Component) ReadManifest(byte[] manifestBytes, string path)
    {
        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(manifestBytes)?.AsObject() ?? throw new JsonException("empty manifest");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ModelFormatException(path, $"{ManifestEntry} is not a JSON object ({e.Message})", e);
        }

        int version = ReadInt(manifest, "formatVersion", path);
        if (version < 1 || version > FormatVersion)
        {
            throw new ModelFormatException(path, $"format version {version} is not supported by this library (it reads 1..{FormatVersion}); upgrade MLNet.Rewards to load it");
        }

        string component = manifest["component"]?.GetValue<string>() ?? throw new ModelFormatException(path, "the manifest has no 'component'");
        return (manifest, component);
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] content, CompressionLevel level)
    {
        var entry = zip.CreateEntry(name, level);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static byte[] ReadEntry(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new ModelFormatException(path, $"the zip has no '{name}' entry: it is not an MLNet.Rewards model");
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static int ReadInt(JsonObject manifest, string name, string path)
    {
        try
        {
            return manifest[name]?.GetValue<int>() ?? throw new ModelFormatException(path, $"the manifest has no '{name}'");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ModelFormatException(path, $"the manifest's '{name}' is not an integer", e);
        }
    }
}

/// <summary>A checked model zip: its manifest and its tensors.</summary>
/// <param name="Path">Where it was loaded from.</param>
/// <param name="Component">The component type named in the manifest.</param>
/// <param name="Manifest">The whole manifest.</param>
/// <param name="Tensors">The weights by name.</param>
public sealed record ModelContents(string Path, string Component, JsonObject Manifest, IReadOnlyDictionary<string, NamedTensor> Tensors)
{
    /// <summary>Deserialises manifest property <paramref name="name"/>, with a clear error when it is missing or malformed.</summary>
    public T Get<T>(string name)
    {
        var node = Manifest[name] ?? throw new ModelFormatException(Path, $"the manifest has no '{name}'");
        try
        {
            return node.Deserialize<T>(ModelArchive.JsonOptions) ?? throw new ModelFormatException(Path, $"the manifest's '{name}' is null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new ModelFormatException(Path, $"the manifest's '{name}' is malformed ({e.Message})", e);
        }
    }

    /// <summary>The tensor <paramref name="name"/>, checked to have <paramref name="shape"/>.</summary>
    public float[] Tensor(string name, int[] shape)
    {
        if (!Tensors.TryGetValue(name, out var tensor))
        {
            throw new ModelFormatException(Path, $"the weights have no tensor '{name}'");
        }

        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new ModelFormatException(Path, $"tensor '{name}' has shape [{string.Join(",", tensor.Shape)}] but the manifest's dimensions need [{string.Join(",", shape)}]");
        }

        return tensor.Data;
    }
}
