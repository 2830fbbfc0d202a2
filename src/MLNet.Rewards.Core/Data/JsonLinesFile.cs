using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MLNet.Rewards.Data;

/// <summary>
/// Streams the lines of a JSONL or gzip-compressed JSONL (<c>.gz</c>) file as parsed JSON objects, with the
/// file name and line number attached to every error. Shared by every record reader in the library.
/// </summary>
public static class JsonLinesFile
{
    /// <summary>Opens <paramref name="path"/> for reading, decompressing it when it ends in <c>.gz</c>.</summary>
    /// <exception cref="DataFormatException">The file does not exist or is not a readable gzip stream.</exception>
    public static TextReader OpenText(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, "file not found");
        }

        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        return new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    /// <summary>
    /// Reads every non-blank line of <paramref name="path"/> and hands its JSON object to <paramref name="map"/>.
    /// A line that is not a JSON object, or that <paramref name="map"/> rejects with a <see cref="FormatException"/>,
    /// throws a <see cref="DataFormatException"/> naming the line, or is counted in <paramref name="stats"/> and
    /// skipped when <see cref="ReadOptions.SkipBadLines"/> is set.
    /// </summary>
    public static IEnumerable<T> Read<T>(string path, Func<JsonElement, T> map, ReadOptions? options = null, ReadStatistics? stats = null)
    {
        options ??= ReadOptions.Default;
        using var reader = OpenText(path);
        long lineNumber = 0;
        while (true)
        {
            string? line;
            try
            {
                line = reader.ReadLine();
            }
            catch (Exception e) when (e is InvalidDataException or DecoderFallbackException or IOException)
            {
                throw new DataFormatException(path, lineNumber + 1, $"the file is corrupt or not UTF-8 ({e.Message})", e);
            }

            if (line is null)
            {
                yield break;
            }

            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            T item;
            try
            {
                item = ParseLine(line, map);
            }
            catch (FormatException e)
            {
                if (!options.SkipBadLines)
                {
                    throw new DataFormatException(path, lineNumber, e.Message, e);
                }

                stats?.RecordSkipped(lineNumber, e.Message);
                continue;
            }

            stats?.RecordRead();
            yield return item;
        }
    }

    private static T ParseLine<T>(string line, Func<JsonElement, T> map)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected a JSON object, found {document.RootElement.ValueKind}");
            }

            return map(document.RootElement);
        }
    }

    /// <summary>Reads a required string property, with a <see cref="FormatException"/> naming it when it is missing or not a string.</summary>
    public static string RequiredString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            throw new FormatException($"field '{name}' is missing");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"field '{name}' must be a string, found {value.ValueKind}");
        }

        return value.GetString()!;
    }

    /// <summary>Reads an optional string property; <paramref name="fallback"/> when absent or null.</summary>
    public static string OptionalString(JsonElement obj, string name, string fallback)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"field '{name}' must be a string, found {value.ValueKind}");
        }

        return value.GetString()!;
    }
}

/// <summary>How a reader treats bad lines.</summary>
public sealed record ReadOptions
{
    /// <summary>Fail on the first bad line (the default).</summary>
    public static ReadOptions Default { get; } = new();

    /// <summary>Skip malformed lines and count them in <see cref="ReadStatistics"/> instead of failing.</summary>
    public bool SkipBadLines { get; init; }
}

/// <summary>Counts of what a reader read and skipped; the first few skipped lines are kept for reporting.</summary>
public sealed class ReadStatistics
{
    private const int MaxExamples = 5;
    private readonly List<(long Line, string Problem)> _examples = [];

    /// <summary>Records read successfully.</summary>
    public long Read { get; private set; }

    /// <summary>Lines skipped because they were malformed.</summary>
    public long Skipped { get; private set; }

    /// <summary>The first skipped lines with their problem.</summary>
    public IReadOnlyList<(long Line, string Problem)> SkippedExamples => _examples;

    internal void RecordRead() => Read++;

    internal void RecordSkipped(long line, string problem)
    {
        Skipped++;
        if (_examples.Count < MaxExamples)
        {
            _examples.Add((line, problem));
        }
    }
}
