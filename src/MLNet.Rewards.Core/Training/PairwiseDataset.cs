namespace MLNet.Rewards.Training;

/// <summary>
/// Featurized preference pairs ready for training: row i of <see cref="Chosen"/> was preferred over row i of
/// <see cref="Rejected"/>. <see cref="Groups"/> keys each pair by its prompt so that validation splits do not leak.
/// </summary>
public sealed class PairwiseDataset
{
    /// <summary>Creates a dataset; both matrices must have the same shape and one group key per row.</summary>
    public PairwiseDataset(FloatMatrix chosen, FloatMatrix rejected, ulong[] groups)
    {
        if (chosen.Rows != rejected.Rows || chosen.Columns != rejected.Columns)
        {
            throw new ArgumentException($"chosen is {chosen.Rows} x {chosen.Columns} but rejected is {rejected.Rows} x {rejected.Columns}");
        }

        if (groups.Length != chosen.Rows)
        {
            throw new ArgumentException($"{groups.Length} group keys for {chosen.Rows} pairs", nameof(groups));
        }

        Chosen = chosen;
        Rejected = rejected;
        Groups = groups;
    }

    /// <summary>Features of the preferred responses.</summary>
    public FloatMatrix Chosen { get; }

    /// <summary>Features of the responses that lost.</summary>
    public FloatMatrix Rejected { get; }

    /// <summary>A key per pair (a hash of its prompt): pairs with equal keys stay on the same side of a split.</summary>
    public ulong[] Groups { get; }

    /// <summary>Per-pair loss weights (e.g. per-source weights), or null for 1 each.</summary>
    public float[]? Weights { get; init; }

    /// <summary>Per-pair margins m of the loss −log σ(r_c − r_r − m) (TRL's margin column), or null for 0 each.</summary>
    public float[]? Margins { get; init; }

    /// <summary>Number of pairs.</summary>
    public int Count => Chosen.Rows;

    /// <summary>Feature dimension.</summary>
    public int Dimension => Chosen.Columns;

    /// <summary>A new dataset holding the pairs at <paramref name="indices"/>, in that order (repeats allowed, as in a bootstrap).</summary>
    public PairwiseDataset Subset(IReadOnlyList<int> indices)
    {
        var chosen = new FloatMatrix(indices.Count, Dimension);
        var rejected = new FloatMatrix(indices.Count, Dimension);
        var groups = new ulong[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Chosen.Row(indices[i]).CopyTo(chosen.Row(i));
            Rejected.Row(indices[i]).CopyTo(rejected.Row(i));
            groups[i] = Groups[indices[i]];
        }

        return new PairwiseDataset(chosen, rejected, groups)
        {
            Weights = Weights is null ? null : [.. indices.Select(i => Weights[i])],
            Margins = Margins is null ? null : [.. indices.Select(i => Margins[i])],
        };
    }

    /// <summary>Checks that weights and margins, when given, have one finite value per pair (weights not negative).</summary>
    public void ValidateColumns()
    {
        if (Weights is not null && (Weights.Length != Count || Weights.Any(w => !(w >= 0) || float.IsInfinity(w))))
        {
            throw new ArgumentException($"Weights must hold {Count} finite non-negative values, one per pair");
        }

        if (Margins is not null && (Margins.Length != Count || Margins.Any(m => !float.IsFinite(m))))
        {
            throw new ArgumentException($"Margins must hold {Count} finite values, one per pair");
        }
    }

    /// <summary>Splits the pair indices by group so that about <paramref name="fraction"/> of the groups go to validation.</summary>
    public (int[] Train, int[] Validation) GroupSplit(double fraction, long seed) => GroupSplitOf(Groups, fraction, seed);

    /// <summary>
    /// Splits row indices by their group keys so that about <paramref name="fraction"/> of the groups go to validation;
    /// rows with equal keys stay together. Depends only on the keys and the seed.
    /// </summary>
    public static (int[] Train, int[] Validation) GroupSplitOf(ReadOnlySpan<ulong> groups, double fraction, long seed)
    {
        var train = new List<int>();
        var validation = new List<int>();
        for (int i = 0; i < groups.Length; i++)
        {
            double u = (Data.StableHash.Mix(groups[i] ^ (ulong)seed) >> 11) * (1.0 / (1UL << 53));
            (u < fraction ? validation : train).Add(i);
        }

        return (train.ToArray(), validation.ToArray());
    }
}
