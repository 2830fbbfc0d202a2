using System.Text.Json;

namespace MLNet.Rewards.Data;

/// <summary>
/// Reads preference pairs from JSONL (optionally gzip-compressed) in the form
/// <c>{"id","source","prompt","chosen","rejected"}</c>. <c>id</c> and <c>source</c> are optional: a missing id
/// becomes <c>file:line</c> and a missing source becomes the file name. An optional number <c>margin</c> is TRL's margin column.
/// </summary>
public static class PreferencePairReader
{
    /// <summary>Streams the pairs of <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">A line is malformed and <see cref="ReadOptions.SkipBadLines"/> is off.</exception>
    public static IEnumerable<PreferencePair> Read(string path, ReadOptions? options = null, ReadStatistics? stats = null)
    {
        string defaultSource = DefaultSourceName(path);
        long ordinal = 0;
        return JsonLinesFile.Read(path, obj => Parse(obj, defaultSource, ++ordinal), options, stats);
    }

    /// <summary>Reads all pairs of <paramref name="path"/> into a list.</summary>
    public static List<PreferencePair> ReadAll(string path, ReadOptions? options = null, ReadStatistics? stats = null)
        => [.. Read(path, options, stats)];

    private static PreferencePair Parse(JsonElement obj, string defaultSource, long ordinal)
    {
        string prompt = JsonLinesFile.RequiredString(obj, "prompt");
        string chosen = JsonLinesFile.RequiredString(obj, "chosen");
        string rejected = JsonLinesFile.RequiredString(obj, "rejected");
        string source = JsonLinesFile.OptionalString(obj, "source", defaultSource);
        string id = JsonLinesFile.OptionalString(obj, "id", $"{defaultSource}-{ordinal}");
        float? margin = null;
        if (obj.TryGetProperty("margin", out var value) && value.ValueKind != JsonValueKind.Null)
        {
            margin = value.ValueKind == JsonValueKind.Number && value.TryGetSingle(out float m) && float.IsFinite(m)
                ? m
                : throw new FormatException($"'margin' must be a finite number, got {value.GetRawText()}");
        }

        return new PreferencePair(id, source, prompt, chosen, rejected) { Margin = margin };
    }

    /// <summary>The file name without <c>.jsonl</c>/<c>.gz</c>: <c>hh-harmless-test.jsonl.gz</c> becomes <c>hh-harmless-test</c>.</summary>
    public static string DefaultSourceName(string path)
    {
        string name = Path.GetFileName(path);
        foreach (string suffix in new[] { ".gz", ".jsonl", ".json" })
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[..^suffix.Length];
            }
        }

        return name;
    }
}
