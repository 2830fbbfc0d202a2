using System.Text.Json.Serialization;

namespace MLNet.Rewards.Ensembles;

/// <summary>How an ensemble's member rewards become one reward.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EnsembleAggregation>))]
public enum EnsembleAggregation
{
    /// <summary>The mean of the members.</summary>
    Mean,

    /// <summary>The smallest member reward (the most pessimistic member).</summary>
    Min,

    /// <summary>The lower confidence bound mean − k·std.</summary>
    LowerConfidenceBound,

    /// <summary>One chosen member alone.</summary>
    Member,
}

/// <summary>
/// Turns member rewards into one reward and the members' standard deviation (population form, dividing by the member count,
/// so a one-member ensemble has deviation 0).
/// </summary>
public sealed record EnsembleAggregator
{
    /// <summary>The mean of the members.</summary>
    public static EnsembleAggregator Mean { get; } = new() { Aggregation = EnsembleAggregation.Mean };

    /// <summary>The smallest member reward.</summary>
    public static EnsembleAggregator Min { get; } = new() { Aggregation = EnsembleAggregation.Min };

    /// <summary>The aggregation rule.</summary>
    public EnsembleAggregation Aggregation { get; init; } = EnsembleAggregation.Mean;

    /// <summary>k of <see cref="EnsembleAggregation.LowerConfidenceBound"/>.</summary>
    public double Deviations { get; init; } = 1.0;

    /// <summary>The member used by <see cref="EnsembleAggregation.Member"/> (0-based).</summary>
    public int MemberIndex { get; init; }

    /// <summary>mean − k·std.</summary>
    public static EnsembleAggregator LowerConfidenceBound(double deviations) => new() { Aggregation = EnsembleAggregation.LowerConfidenceBound, Deviations = deviations };

    /// <summary>Member <paramref name="index"/> alone.</summary>
    public static EnsembleAggregator Member(int index) => new() { Aggregation = EnsembleAggregation.Member, MemberIndex = index };

    /// <summary>Checks the settings against an ensemble of <paramref name="members"/> members.</summary>
    public void Validate(int members)
    {
        OptionValidation.Require(Enum.IsDefined(Aggregation), nameof(Aggregation), Aggregation, "must be Mean, Min, LowerConfidenceBound or Member");
        OptionValidation.Require(Deviations >= 0 && double.IsFinite(Deviations), nameof(Deviations), Deviations, "(k of mean − k·std) must be a non-negative number");
        OptionValidation.Require(Aggregation != EnsembleAggregation.Member || (MemberIndex >= 0 && MemberIndex < members), nameof(MemberIndex), MemberIndex, $"must be in 0..{members - 1} for an ensemble of {members} members");
    }

    /// <summary>The aggregated reward of one response from its member rewards, and the members' standard deviation.</summary>
    public (float Reward, float StdDev) Aggregate(ReadOnlySpan<float> memberRewards)
    {
        if (memberRewards.IsEmpty)
        {
            throw new ArgumentException("no member rewards to aggregate", nameof(memberRewards));
        }

        double mean = 0;
        foreach (float r in memberRewards)
        {
            mean += r;
        }

        mean /= memberRewards.Length;
        double variance = 0;
        foreach (float r in memberRewards)
        {
            variance += (r - mean) * (r - mean);
        }

        double std = Math.Sqrt(variance / memberRewards.Length);
        double reward = Aggregation switch
        {
            EnsembleAggregation.Mean => mean,
            EnsembleAggregation.Min => System.Numerics.Tensors.TensorPrimitives.Min(memberRewards),
            EnsembleAggregation.LowerConfidenceBound => mean - (Deviations * std),
            EnsembleAggregation.Member => memberRewards[MemberIndex],
            _ => throw new InvalidOperationException($"unknown aggregation {Aggregation}"),
        };
        return ((float)reward, (float)std);
    }

    /// <summary>A short name for tables: mean, min, mean-1std, member 0.</summary>
    public override string ToString() => Aggregation switch
    {
        EnsembleAggregation.Mean => "mean",
        EnsembleAggregation.Min => "min",
        EnsembleAggregation.LowerConfidenceBound => $"mean-{Deviations:0.##}std",
        _ => $"member {MemberIndex}",
    };
}
