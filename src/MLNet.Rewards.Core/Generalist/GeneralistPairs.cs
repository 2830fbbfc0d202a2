using MLNet.Rewards.Data;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Generalist;

/// <summary>How a multi-source training set handles response length, the signal that one source's judge may reward and another's punish.</summary>
internal enum LengthHandling
{
    /// <summary>Pairs as they come.</summary>
    None,

    /// <summary>
    /// Length-balanced pairs: within each source, as many pairs where the chosen response is the longer one as pairs where
    /// it is the shorter one (the excess of the larger side is dropped at random), so length predicts nothing in training.
    /// </summary>
    Balance,

    /// <summary>
    /// A length term the head may not use: a per-source Bradley–Terry model on the log-length difference alone is fitted
    /// first, and its logit a·(log ℓ_c − log ℓ_r) is added to every pair's margin as a fixed offset (the loss becomes
    /// −log σ(r_c − r_r + a·Δlog ℓ)). The head then learns only what length does not already explain; at scoring time the
    /// length term is gone.
    /// </summary>
    Offset,
}

/// <summary>The steps that turn the shared data files into one multi-source training set.</summary>
internal static class GeneralistPairs
{
    /// <summary>
    /// Preference pairs from rated responses: within each prompt, every two responses whose <paramref name="attribute"/>
    /// ratings differ by at least <paramref name="minimumGap"/>, the higher-rated one chosen. Ids are "a|b" of the two rows.
    /// </summary>
    public static List<PreferencePair> FromRatings(IReadOnlyList<RatedResponse> rows, string attribute, float minimumGap = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minimumGap);
        var pairs = new List<PreferencePair>();
        foreach (var group in rows.Where(r => !float.IsNaN(r.Rating(attribute))).GroupBy(r => r.Prompt, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            for (int i = 0; i < members.Length; i++)
            {
                for (int j = i + 1; j < members.Length; j++)
                {
                    float gap = members[i].Rating(attribute) - members[j].Rating(attribute);
                    if (Math.Abs(gap) < minimumGap || members[i].Response == members[j].Response)
                    {
                        continue;
                    }

                    var (better, worse) = gap > 0 ? (members[i], members[j]) : (members[j], members[i]);
                    pairs.Add(new PreferencePair($"{better.Id}|{worse.Id}", better.Source, group.Key, better.Response, worse.Response));
                }
            }
        }

        return pairs;
    }

    /// <summary>At most <paramref name="cap"/> pairs of each source, chosen by a seeded hash of their ids (stable across runs), in input order.</summary>
    public static List<PreferencePair> CapPerSource(IReadOnlyList<PreferencePair> pairs, int cap, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cap);
        var kept = new HashSet<PreferencePair>(ReferenceEqualityComparer.Instance);
        foreach (var group in pairs.GroupBy(p => p.Source, StringComparer.Ordinal))
        {
            kept.UnionWith(group.OrderBy(p => StableHash.Mix(StableHash.Of(p.Id) ^ (ulong)seed)).ThenBy(p => p.Id, StringComparer.Ordinal).Take(cap));
        }

        return [.. pairs.Where(kept.Contains)];
    }

    /// <summary>
    /// <see cref="LengthHandling.Balance"/>: per source, drops (by a seeded hash) the excess of chosen-longer or
    /// chosen-shorter pairs; pairs of equal length are kept.
    /// </summary>
    public static List<PreferencePair> BalanceLength(IReadOnlyList<PreferencePair> pairs, long seed)
    {
        var dropped = new HashSet<PreferencePair>(ReferenceEqualityComparer.Instance);
        foreach (var group in pairs.GroupBy(p => p.Source, StringComparer.Ordinal))
        {
            var longer = group.Where(p => p.Chosen.Length > p.Rejected.Length).ToList();
            var shorter = group.Where(p => p.Chosen.Length < p.Rejected.Length).ToList();
            var excess = longer.Count > shorter.Count ? longer : shorter;
            int drop = Math.Abs(longer.Count - shorter.Count);
            dropped.UnionWith(excess.OrderBy(p => StableHash.Mix(StableHash.Of(p.Id) ^ (ulong)seed)).ThenBy(p => p.Id, StringComparer.Ordinal).Take(drop));
        }

        return [.. pairs.Where(p => !dropped.Contains(p))];
    }

    /// <summary>The log-length difference log(1 + ℓ_c) − log(1 + ℓ_r), in characters.</summary>
    public static double LogLengthDifference(PreferencePair pair) => Math.Log(1 + pair.Chosen.Length) - Math.Log(1 + pair.Rejected.Length);

    /// <summary>
    /// Per source, the coefficient a of the one-feature Bradley–Terry model P(chosen) = σ(a·Δlog ℓ), by Newton's method
    /// (with a small ridge so that a source where length separates perfectly still gets a finite a).
    /// </summary>
    public static Dictionary<string, double> FitLengthCoefficients(IReadOnlyList<PreferencePair> pairs)
    {
        var coefficients = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var group in pairs.GroupBy(p => p.Source, StringComparer.Ordinal))
        {
            var x = group.Select(LogLengthDifference).ToArray();
            const double Ridge = 1e-3;
            double a = 0;
            for (int iteration = 0; iteration < 50; iteration++)
            {
                double gradient = Ridge * a * x.Length, hessian = Ridge * x.Length;
                foreach (double xi in x)
                {
                    double p = 1 / (1 + Math.Exp(-a * xi));
                    gradient += (p - 1) * xi;
                    hessian += p * (1 - p) * xi * xi;
                }

                double step = gradient / Math.Max(hessian, 1e-12);
                a -= step;
                if (Math.Abs(step) < 1e-9)
                {
                    break;
                }
            }

            coefficients[group.Key] = a;
        }

        return coefficients;
    }

    /// <summary>
    /// <see cref="LengthHandling.Offset"/>: each pair's margin becomes its own margin (0 when none) minus the fitted length
    /// logit a_source·Δlog ℓ, so the loss is −log σ(r_c − r_r + a·Δlog ℓ − m).
    /// </summary>
    public static List<PreferencePair> WithLengthOffset(IReadOnlyList<PreferencePair> pairs, IReadOnlyDictionary<string, double> coefficients) =>
        [.. pairs.Select(p => p with { Margin = (float)((p.Margin ?? 0) - (coefficients.GetValueOrDefault(p.Source) * LogLengthDifference(p))) })];
}
