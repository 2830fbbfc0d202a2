using System.IO.Compression;
using System.Numerics.Tensors;
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

    /// <summary>
    /// Largest manifest read: a manifest holds names, dimensions and hyperparameters (tens of kilobytes at most), and its
    /// declared size is checked before anything is decompressed, so a small zip cannot make a load inflate gigabytes.
    /// </summary>
    public const long MaxManifestBytes = 16L << 20;

    /// <summary>Largest weights entry read: one .NET array.</summary>
    public static long MaxWeightsBytes => Array.MaxLength;

    /// <summary>
    /// Entries above this size must not inflate more than <see cref="MaxCompressionRatio"/> times: float32 weights of a
    /// trained head deflate by well under 2x, so a 2 GB weights entry from a few megabytes is a bomb, not a model.
    /// Smaller entries are not checked (an untrained head of zeros compresses about 1000x and is still a valid model).
    /// </summary>
    private const long RatioCheckedBytes = 64L << 20;

    private const long MaxCompressionRatio = 100;

    /// <summary>Options for every manifest: camelCase, indented, enums as strings.</summary>
    internal static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Writes a model zip atomically (<see cref="AtomicFile"/>: a directory, device or pipe at <paramref name="path"/> is
    /// refused, and temporary files left by killed saves in its folder are removed). <paramref name="body"/> is the
    /// component's own description (dimensions, featurizer, hyperparameters, training metadata, metrics); the archive
    /// adds <c>formatVersion</c>, <c>component</c> and <c>weights</c> (file name, size and SHA-256).
    /// </summary>
    internal static void Save(string path, string component, JsonObject body, IReadOnlyList<NamedTensor> tensors) =>
        AtomicFile.Write(path, ToBytes(component, body, tensors));

    /// <summary>
    /// The bytes of the model zip that <see cref="Save"/> would write, for containers that embed a model in another file
    /// (the ML.NET layer carries them inside an ML.NET model zip).
    /// </summary>
    /// <exception cref="InvalidOperationException">A tensor holds NaN or infinity: such a model cannot score.</exception>
    internal static byte[] ToBytes(string component, JsonObject body, IReadOnlyList<NamedTensor> tensors)
    {
        foreach (var tensor in tensors)
        {
            if (FirstNonFinite(tensor.Data) is int bad)
            {
                throw new InvalidOperationException($"tensor '{tensor.Name}' holds {tensor.Data[bad]} at element {bad}: refusing to save a '{component}' model that cannot score");
            }
        }

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
    internal static ModelContents Load(string path, string? component = null)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "model file not found");
        }

        long length = new FileInfo(path).Length;
        if (length > MaxWeightsBytes + MaxManifestBytes)
        {
            throw new ModelFormatException(path, $"the file is {length:N0} bytes, more than any model zip this library reads ({MaxWeightsBytes + MaxManifestBytes:N0})");
        }

        return FromBytes(File.ReadAllBytes(path), path, component);
    }

    /// <summary>
    /// Reads a model zip from <paramref name="stream"/> to its end (the stream is left open), refusing one larger than
    /// any model zip this library reads (before reading anything when the stream knows its length);
    /// <paramref name="sourceName"/> names it in error messages.
    /// </summary>
    /// <exception cref="ModelFormatException">The stream holds more bytes than a model zip may have.</exception>
    internal static byte[] ReadAllBytes(Stream stream, string sourceName)
    {
        long limit = Array.MaxLength;
        long remaining = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 0;
        if (remaining > limit)
        {
            throw new ModelFormatException(sourceName, $"the stream holds {remaining:N0} bytes, more than any model zip this library reads ({limit:N0})");
        }

        using var buffer = new MemoryStream((int)remaining);
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ModelFormatException(sourceName, $"the stream holds more than {limit:N0} bytes, more than any model zip this library reads");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Checks and opens a model zip held in memory (see <see cref="ToBytes"/>), with the same checks as <see cref="Load"/>;
    /// <paramref name="sourceName"/> names it in error messages.
    /// </summary>
    /// <exception cref="ModelFormatException">Any check fails; the message says which.</exception>
    internal static ModelContents FromBytes(byte[] zipBytes, string sourceName, string? component = null)
    {
        string path = sourceName;
        byte[] manifestBytes, weights;
        JsonObject manifest;
        string actualComponent;
        try
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes, writable: false), ZipArchiveMode.Read);
            manifestBytes = ReadEntry(zip, ManifestEntry, MaxManifestBytes, path);
            (manifest, actualComponent) = ReadManifest(manifestBytes, path);
            if (component is not null && actualComponent != component)
            {
                throw new ModelFormatException(path, $"holds a '{actualComponent}' model, not a '{component}' model");
            }

            long declared = ReadWeightsBytes(manifest, path);
            weights = ReadEntry(zip, WeightsEntry, declared, path);
            if (weights.Length != declared)
            {
                throw new ModelFormatException(path, $"{WeightsEntry} holds {weights.Length:N0} bytes but the manifest declares {declared:N0}: the file is corrupt or was edited");
            }
        }
        catch (InvalidDataException e)
        {
            throw new ModelFormatException(path, $"not a valid model zip (truncated or corrupt: {e.Message})", e);
        }

        string? expectedHash = manifest["weights"]?["sha256"]?.GetValue<string>();
        string actualHash = Convert.ToHexStringLower(SHA256.HashData(weights));
        if (expectedHash is null || !string.Equals(expectedHash, actualHash, StringComparison.Ordinal))
        {
            throw new ModelFormatException(path, $"the weights checksum does not match the manifest (expected {expectedHash ?? "none"}, found {actualHash}): the file is corrupt or was edited");
        }

        var tensors = SafeTensors.Read(weights, path);
        foreach (var (name, tensor) in tensors)
        {
            if (FirstNonFinite(tensor.Data) is int bad)
            {
                throw new ModelFormatException(path, $"tensor '{name}' holds {tensor.Data[bad]} at element {bad}: the model was saved from training that diverged, or the file was edited");
            }
        }

        return new ModelContents(path, actualComponent, manifest, tensors);
    }

    /// <summary>
    /// The component a model zip holds, from its manifest alone (the weights are neither read nor hashed): for choosing
    /// which model type to load. The manifest gets the same checks as in <see cref="Load"/>.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, not a model zip, or its manifest is malformed or too new.</exception>
    internal static string ReadComponent(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "model file not found");
        }

        byte[] manifestBytes;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            manifestBytes = ReadEntry(zip, ManifestEntry, MaxManifestBytes, path);
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

    /// <summary>
    /// The entry's bytes, refused before decompressing when its declared size exceeds <paramref name="maxBytes"/>, and
    /// when the data turns out larger than declared (the central directory's sizes are not otherwise enforced).
    /// </summary>
    private static byte[] ReadEntry(ZipArchive zip, string name, long maxBytes, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new ModelFormatException(path, $"the zip has no '{name}' entry: it is not an MLNet.Rewards model");
        if (entry.Length > maxBytes)
        {
            throw new ModelFormatException(path, $"'{name}' declares {entry.Length:N0} bytes, more than the {maxBytes:N0} it may have: the file is corrupt or not an MLNet.Rewards model");
        }

        if (entry.Length > RatioCheckedBytes && entry.Length / Math.Max(1, entry.CompressedLength) > MaxCompressionRatio)
        {
            throw new ModelFormatException(path, $"'{name}' declares {entry.Length:N0} bytes from {entry.CompressedLength:N0} compressed, a ratio no model weights reach: the file is corrupt or a zip bomb");
        }

        var content = new byte[entry.Length];
        using var stream = entry.Open();
        int read = stream.ReadAtLeast(content, content.Length, throwOnEndOfStream: false);
        if (read < content.Length)
        {
            throw new ModelFormatException(path, $"'{name}' holds {read:N0} bytes but declares {entry.Length:N0}: the file is truncated or corrupt");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new ModelFormatException(path, $"'{name}' holds more than the {entry.Length:N0} bytes it declares: the file is corrupt");
        }

        return content;
    }

    /// <summary>The manifest's declared size of the weights entry, checked to be one this library can read.</summary>
    private static long ReadWeightsBytes(JsonObject manifest, string path)
    {
        long? declared;
        try
        {
            declared = manifest["weights"]?["bytes"]?.GetValue<long>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ModelFormatException(path, "the manifest's 'weights.bytes' is not an integer", e);
        }

        if (declared is not { } bytes || bytes < 0 || bytes > MaxWeightsBytes)
        {
            throw new ModelFormatException(path, $"the manifest's 'weights.bytes' is {(declared?.ToString() ?? "missing")}; it must be 0..{MaxWeightsBytes:N0}");
        }

        return bytes;
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or null when all are finite.</summary>
    private static int? FirstNonFinite(float[] values)
    {
        if (TensorPrimitives.IsFiniteAll<float>(values))
        {
            return null;
        }

        return Array.FindIndex(values, v => !float.IsFinite(v));
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
internal sealed record ModelContents(string Path, string Component, JsonObject Manifest, IReadOnlyDictionary<string, NamedTensor> Tensors)
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
