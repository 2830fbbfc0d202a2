using System.Text.Json;
using MLNet.Rewards.Data;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// A response with absolute ratings on named attributes (HelpSteer style): the training data of regression objectives.
/// A rating that was not given is <see cref="float.NaN"/>.
/// </summary>
/// <param name="Id">Identifier, unique within its file.</param>
/// <param name="Source">The dataset the row comes from.</param>
/// <param name="Prompt">The prompt or conversation the response answers.</param>
/// <param name="Response">The rated response.</param>
/// <param name="Ratings">Rating per attribute name; NaN where the attribute was not rated.</param>
public sealed record RatedResponse(string Id, string Source, string Prompt, string Response, IReadOnlyDictionary<string, float> Ratings)
{
    /// <summary>The rating of <paramref name="attribute"/>, NaN when it is missing.</summary>
    public float Rating(string attribute) => Ratings.TryGetValue(attribute, out float value) ? value : float.NaN;
}

/// <summary>
/// Reads rated responses from JSONL (optionally gzip-compressed) in the form
/// <c>{"id","source","prompt","response","ratings":{name: value}}</c>. A rating may be a number or null (missing: NaN);
/// an absent attribute is also missing. Errors name the file and line, as <see cref="PreferencePairReader"/>'s do.
/// </summary>
public static class RatedResponseReader
{
    /// <summary>Streams the rated responses of <paramref name="path"/>.</summary>
    /// <exception cref="DataFormatException">A line is malformed and <see cref="ReadOptions.SkipBadLines"/> is off.</exception>
    public static IEnumerable<RatedResponse> Read(string path, ReadOptions? options = null, ReadStatistics? stats = null)
    {
        string defaultSource = PreferencePairReader.DefaultSourceName(path);
        long ordinal = 0;
        return JsonLinesFile.Read(path, obj => Parse(obj, defaultSource, ++ordinal), options, stats);
    }

    /// <summary>Reads all rated responses of <paramref name="path"/> into a list.</summary>
    public static List<RatedResponse> ReadAll(string path, ReadOptions? options = null, ReadStatistics? stats = null)
        => [.. Read(path, options, stats)];

    private static RatedResponse Parse(JsonElement obj, string defaultSource, long ordinal)
    {
        string prompt = JsonLinesFile.RequiredString(obj, "prompt");
        string response = JsonLinesFile.RequiredString(obj, "response");
        string source = JsonLinesFile.OptionalString(obj, "source", defaultSource);
        string id = JsonLinesFile.OptionalString(obj, "id", $"{defaultSource}-{ordinal}");
        if (!obj.TryGetProperty("ratings", out var ratings))
        {
            throw new FormatException("field 'ratings' is missing");
        }

        if (ratings.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"field 'ratings' must be an object of name: number, found {ratings.ValueKind}");
        }

        var values = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var rating in ratings.EnumerateObject())
        {
            values[rating.Name] = rating.Value.ValueKind switch
            {
                JsonValueKind.Null => float.NaN,
                JsonValueKind.Number when rating.Value.TryGetDouble(out double v) && double.IsFinite(v) => (float)v,
                _ => throw new FormatException($"rating '{rating.Name}' must be a finite number or null, found {Describe(rating.Value)}"),
            };
        }

        return new RatedResponse(id, source, prompt, response, values);
    }

    private static string Describe(JsonElement value) => value.ValueKind == JsonValueKind.String ? $"the string \"{value.GetString()}\"" : value.ValueKind.ToString();
}
