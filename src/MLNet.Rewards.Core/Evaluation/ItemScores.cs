using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Evaluation;

/// <summary>
/// A model's scores for the responses of one evaluation item, the first for the correct (chosen) response and the
/// rest for incorrect ones: <c>[chosen, rejected]</c> for a pair, <c>[correct, wrong, wrong, wrong]</c> for a
/// RewardBench v2 best-of-4 item.
/// </summary>
/// <param name="Id">Item id.</param>
/// <param name="Subset">Subset the item belongs to (a pair's <c>source</c>).</param>
/// <param name="Scores">Scores, correct response first.</param>
public sealed record ItemScores(string Id, string Subset, IReadOnlyList<float> Scores)
{
    /// <summary>One item per pair: its id, its source as the subset, and <c>[chosen, rejected]</c>.</summary>
    public static ItemScores[] FromPairs(IReadOnlyList<PreferencePair> pairs, ReadOnlySpan<float> chosenRewards, ReadOnlySpan<float> rejectedRewards)
    {
        if (chosenRewards.Length != pairs.Count || rejectedRewards.Length != pairs.Count)
        {
            throw new ArgumentException($"{pairs.Count} pairs but {chosenRewards.Length} chosen and {rejectedRewards.Length} rejected rewards");
        }

        var items = new ItemScores[pairs.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = new ItemScores(pairs[i].Id, pairs[i].Source, [chosenRewards[i], rejectedRewards[i]]);
        }

        return items;
    }
}

/// <summary>
/// Reads and writes item scores as JSONL, one <c>{"id": "...", "subset": "...", "scores": [correct, wrong, ...]}</c>
/// object a line (at least two finite numbers; the first is the correct response's).
/// </summary>
public static class ItemScoresFile
{
    /// <summary>Reads every item of <paramref name="path"/> (plain or <c>.gz</c>).</summary>
    /// <exception cref="DataFormatException">A line is not of that form; the message names the file and line.</exception>
    public static List<ItemScores> Read(string path) => [.. JsonLinesFile.Read(path, Parse)];

    /// <summary>Writes <paramref name="items"/> to <paramref name="path"/> (temporary file + rename, so never half-written).</summary>
    public static void Write(string path, IEnumerable<ItemScores> items)
    {
        var text = new StringBuilder();
        foreach (var item in items)
        {
            text.Append("{\"id\":").Append(JsonSerializer.Serialize(item.Id))
                .Append(",\"subset\":").Append(JsonSerializer.Serialize(item.Subset))
                .Append(",\"scores\":[")
                .AppendJoin(',', item.Scores.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))
                .Append("]}\n");
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static ItemScores Parse(JsonElement line)
    {
        string id = JsonLinesFile.RequiredString(line, "id");
        string subset = JsonLinesFile.RequiredString(line, "subset");
        if (!line.TryGetProperty("scores", out var scores))
        {
            throw new FormatException("field 'scores' is missing");
        }

        if (scores.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"field 'scores' must be an array of numbers, found {scores.ValueKind}");
        }

        var values = new List<float>();
        foreach (var score in scores.EnumerateArray())
        {
            if (score.ValueKind != JsonValueKind.Number || !score.TryGetSingle(out float value) || !float.IsFinite(value))
            {
                throw new FormatException($"scores[{values.Count}] must be a finite number, found {(score.ValueKind == JsonValueKind.Number ? score.GetRawText() : score.ValueKind)}");
            }

            values.Add(value);
        }

        if (values.Count < 2)
        {
            throw new FormatException($"field 'scores' needs the correct response's score and at least one other, found {values.Count}");
        }

        return new ItemScores(id, subset, values);
    }
}
