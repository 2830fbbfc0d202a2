using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;

namespace MLNet.Rewards.Evaluation;

/// <summary>The columns <see cref="RewardsCatalog.Evaluate"/> reads (optional ones null).</summary>
/// <param name="Label">Boolean: true for the preferred response.</param>
/// <param name="PairId">Text: rows with the same value are compared.</param>
/// <param name="Score">Single: the reward.</param>
/// <param name="Response">Text: the response, for the length measures.</param>
/// <param name="Source">Text: the dataset a pair comes from, for the accuracy per source.</param>
internal sealed record ScoredColumns(string Label, string PairId, string Score, string? Response, string? Source);

/// <summary>
/// Scored rows (one per response) read from an <see cref="IDataView"/> and matched into preference pairs by pair id, as
/// the trainers match them (<see cref="Comparisons"/>), with the chosen and rejected rewards of each.
/// </summary>
internal sealed record ScoredPairs(List<PreferencePair> Pairs, float[] Chosen, float[] Rejected)
{
    public static ScoredPairs Read(IDataView data, ScoredColumns names)
    {
        var schema = data.Schema;
        SchemaChecks.RequireBoolean(schema, names.Label, "label");
        SchemaChecks.RequireText(schema, names.PairId, "pair id");
        SchemaChecks.RequireSingle(schema, names.Score, "score");
        if (names.Response is not null)
        {
            SchemaChecks.RequireText(schema, names.Response, "response text; responseColumnName: null evaluates without the length measures");
        }

        if (names.Source is not null)
        {
            SchemaChecks.RequireText(schema, names.Source, "source; sourceColumnName: null evaluates without the accuracy per source");
        }

        var labels = new List<bool>();
        var pairIds = new List<string>();
        var scores = new List<float>();
        var responses = new List<string>();
        var sources = new List<string>();
        var columns = new[] { names.Label, names.PairId, names.Score, names.Response, names.Source }.OfType<string>().Select(n => schema[n]);
        using var cursor = data.GetRowCursor(columns);
        var getLabel = cursor.GetGetter<bool>(schema[names.Label]);
        var getPairId = cursor.GetGetter<ReadOnlyMemory<char>>(schema[names.PairId]);
        var getScore = cursor.GetGetter<float>(schema[names.Score]);
        var getResponse = names.Response is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(schema[names.Response]);
        var getSource = names.Source is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(schema[names.Source]);
        bool label = false;
        float score = 0;
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            getScore(ref score);
            if (!float.IsFinite(score))
            {
                throw new InvalidOperationException($"row {scores.Count + 1}: column '{names.Score}' (score) is {score}; every score must be a finite number");
            }

            scores.Add(score);
            getLabel(ref label);
            labels.Add(label);
            getPairId(ref text);
            pairIds.Add(text.ToString());
            responses.Add(getResponse is null ? string.Empty : Read(getResponse, ref text));
            sources.Add(getSource is null ? string.Empty : Read(getSource, ref text));
        }

        if (scores.Count == 0)
        {
            throw new InvalidOperationException("the scored data has no rows");
        }

        var comparisons = Comparisons.Within(pairIds, labels, names.Label);
        var pairs = comparisons.Select(p => new PreferencePair(pairIds[p.Chosen], sources[p.Chosen], string.Empty, responses[p.Chosen], responses[p.Rejected])).ToList();
        return new ScoredPairs(pairs, [.. comparisons.Select(p => scores[p.Chosen])], [.. comparisons.Select(p => scores[p.Rejected])]);
    }

    private static string Read(ValueGetter<ReadOnlyMemory<char>> getter, ref ReadOnlyMemory<char> text)
    {
        getter(ref text);
        return text.ToString();
    }
}
