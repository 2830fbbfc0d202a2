using MLNet.Rewards.Heads;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Ensembles;

/// <summary>
/// Several reward heads over the same features, read as samples from a posterior over reward functions: their spread is
/// the epistemic uncertainty of a reward. Scores come back aggregated (<see cref="EnsembleAggregator"/>) with the members'
/// standard deviation.
/// </summary>
public sealed class RewardEnsemble
{
    /// <summary>Tensor name prefix of member <paramref name="index"/> in a model zip.</summary>
    public static string TensorPrefix(int index) => $"members.{index}.";

    /// <summary>Creates an ensemble; every member must take the same number of features.</summary>
    public RewardEnsemble(IReadOnlyList<RewardHead> members)
    {
        if (members.Count == 0)
        {
            throw new ArgumentException("an ensemble needs at least one member", nameof(members));
        }

        int dimension = members[0].InputDimension;
        for (int m = 1; m < members.Count; m++)
        {
            if (members[m].InputDimension != dimension)
            {
                throw new ArgumentException($"member {m} takes {members[m].InputDimension} features but member 0 takes {dimension}", nameof(members));
            }
        }

        Members = [.. members];
        InputDimension = dimension;
    }

    /// <summary>The member heads.</summary>
    public IReadOnlyList<RewardHead> Members { get; }

    /// <summary>Length of the feature vectors the members score.</summary>
    public int InputDimension { get; }

    /// <summary>Every member's rewards of every row: a [members, rows] matrix.</summary>
    public FloatMatrix ScoreMembers(FloatMatrix features)
    {
        var scores = new FloatMatrix(Members.Count, features.Rows);
        for (int m = 0; m < Members.Count; m++)
        {
            Members[m].Score(features, scores.Row(m));
        }

        return scores;
    }

    /// <summary>Aggregated rewards of every row, with the members' standard deviation.</summary>
    public EnsembleScores Score(FloatMatrix features, EnsembleAggregator aggregator) => Aggregate(ScoreMembers(features), aggregator);

    /// <summary>Aggregates a [members, rows] matrix of member rewards column by column.</summary>
    public static EnsembleScores Aggregate(FloatMatrix memberScores, EnsembleAggregator aggregator)
    {
        aggregator.Validate(memberScores.Rows);
        var rewards = new float[memberScores.Columns];
        var deviations = new float[memberScores.Columns];
        var column = new float[memberScores.Rows];
        for (int i = 0; i < memberScores.Columns; i++)
        {
            for (int m = 0; m < memberScores.Rows; m++)
            {
                column[m] = memberScores.Data[(m * memberScores.Columns) + i];
            }

            (rewards[i], deviations[i]) = aggregator.Aggregate(column);
        }

        return new EnsembleScores(rewards, deviations);
    }

    /// <summary>Every member's tensors, named with <see cref="TensorPrefix"/>.</summary>
    internal IEnumerable<NamedTensor> ExportTensors() => Members.SelectMany((head, m) => HeadTensors.Export(head, TensorPrefix(m)));

    /// <summary>Rebuilds an ensemble from member specs and the tensors of a model zip.</summary>
    internal static RewardEnsemble Import(IReadOnlyList<HeadSpec> specs, int inputDimension, ModelContents contents)
    {
        if (specs.Count == 0)
        {
            throw new ModelFormatException(contents.Path, "the manifest lists no ensemble members");
        }

        return new RewardEnsemble([.. specs.Select((spec, m) => HeadTensors.Import(spec, inputDimension, contents, TensorPrefix(m)))]);
    }
}

/// <summary>Aggregated rewards and the members' standard deviation, one of each per scored row.</summary>
/// <param name="Rewards">The aggregated rewards.</param>
/// <param name="StdDevs">The members' standard deviations.</param>
public sealed record EnsembleScores(float[] Rewards, float[] StdDevs);
