namespace MLNet.Rewards;

/// <summary>
/// Turns rows with a pair id and a Boolean preference label into comparisons: within each pair id, every preferred row
/// (label true) against every rejected row (label false), pair ids in order of first appearance.
/// </summary>
internal static class Comparisons
{
    /// <param name="pairIds">Each row's pair id.</param>
    /// <param name="labels">Each row's label: true for preferred.</param>
    /// <param name="labelColumn">The label column's name, for the error message.</param>
    /// <param name="skipEmptyIds">When true, rows with an empty pair id belong to no comparison.</param>
    /// <exception cref="InvalidOperationException">A pair id lacks a preferred or a rejected row.</exception>
    public static List<(int Chosen, int Rejected)> Within(IReadOnlyList<string> pairIds, IReadOnlyList<bool> labels, string labelColumn, bool skipEmptyIds = false)
    {
        var order = new List<string>();
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < pairIds.Count; i++)
        {
            if (skipEmptyIds && pairIds[i].Length == 0)
            {
                continue;
            }

            if (!members.TryGetValue(pairIds[i], out var list))
            {
                members[pairIds[i]] = list = [];
                order.Add(pairIds[i]);
            }

            list.Add(i);
        }

        var comparisons = new List<(int Chosen, int Rejected)>();
        foreach (string id in order)
        {
            var rows = members[id];
            var chosen = rows.Where(r => labels[r]).ToList();
            var rejected = rows.Where(r => !labels[r]).ToList();
            if (chosen.Count == 0 || rejected.Count == 0)
            {
                throw new InvalidOperationException($"pair id '{id}' has {chosen.Count} preferred ('{labelColumn}' true) and {rejected.Count} rejected ('{labelColumn}' false) rows; every pair id needs at least one of each");
            }

            comparisons.AddRange(chosen.SelectMany(c => rejected.Select(r => (c, r))));
        }

        return comparisons;
    }
}
