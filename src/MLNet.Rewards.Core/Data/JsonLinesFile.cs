using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace MLNet.Rewards.Data;

/// <summary>
/// Streams the lines of a JSONL or gzip-compressed JSONL (<c>.gz</c>) file as parsed JSON objects, with the
/// file name and line number attached to every error. Shared by every record reader in the library.
/// </summary>
internal static class JsonLinesFile
{
    /// <summary>Opens <paramref name="path"/> for reading, decompressing it when it ends in <c>.gz</c>.</summary>
    /// <exception cref="DataFormatException">The file does not exist or is not a readable gzip stream.</exception>
    /// <remarks>
    /// A gzip file's trailers are checked as it is read: reading a truncated or corrupt one throws an
    /// <see cref="InvalidDataException"/> instead of ending early.
    /// </remarks>
    public static TextReader OpenText(string path)
        => new StreamReader(OpenRead(path), new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    /// <summary>The file's bytes, decompressed (and its gzip trailers checked) when it ends in <c>.gz</c>.</summary>
    private static Stream OpenRead(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, "file not found");
        }

        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new CheckedGzipStream(path)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
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
        using var reader = new Utf8LineReader(OpenUtf8(path));
        long lineNumber = 0;
        while (true)
        {
            ReadOnlyMemory<byte> line;
            bool more;
            try
            {
                more = reader.TryReadLine(out line);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // Not skippable: the rest of the file is unreadable (or, truncated, missing), so no line count is honest.
                throw new DataFormatException(path, 0, $"{e.Message} (after line {lineNumber})", e);
            }

            if (!more)
            {
                yield break;
            }

            lineNumber++;
            if (lineNumber == 1)
            {
                line = line.Span.StartsWith(Utf8ByteOrderMark) ? line[Utf8ByteOrderMark.Length..] : line;
            }

            if (line.Span.Trim(JsonWhitespace).IsEmpty)
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

    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r"u8;

    private static ReadOnlySpan<byte> Utf8ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// The file's bytes as UTF-8: a file that starts with a UTF-16 or UTF-32 byte order mark (which the StreamReader this
    /// replaced accepted) is transcoded; any other file is taken as UTF-8 and checked line by line.
    /// </summary>
    private static Stream OpenUtf8(string path)
    {
        Span<byte> start = stackalloc byte[4];
        int length;
        try
        {
            using var sniff = OpenRead(path);
            length = sniff.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DataFormatException(path, 0, e.Message, e);
        }

        start = start[..length];
        Encoding? wide = start switch
        {
            [0xFF, 0xFE, 0, 0] => Encoding.UTF32,
            [0, 0, 0xFE, 0xFF] => new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true),
            [0xFF, 0xFE, ..] => Encoding.Unicode,
            [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode,
            _ => null,
        };
        var stream = OpenRead(path);
        return wide is null ? stream : Encoding.CreateTranscodingStream(stream, wide, Encoding.UTF8);
    }

    /// <summary>The 1-based column (byte offset + 1) of the first invalid UTF-8 sequence, or 0 when the line is valid.</summary>
    private static int FirstInvalidUtf8Column(ReadOnlySpan<byte> line)
    {
        if (Utf8.IsValid(line))
        {
            return 0;
        }

        int offset = 0;
        while (Rune.DecodeFromUtf8(line[offset..], out _, out int consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset + 1;
    }

    private static T ParseLine<T>(ReadOnlyMemory<byte> line, Func<JsonElement, T> map)
    {
        int invalid = FirstInvalidUtf8Column(line.Span);
        if (invalid > 0)
        {
            throw new FormatException($"not valid UTF-8 (byte 0x{line.Span[invalid - 1]:X2} at column {invalid})");
        }

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
