using System.Text.Json.Serialization;

namespace MLNet.Rewards.Heads;

/// <summary>
/// The architecture of a reward head: serialised in model manifests under <c>head</c>, with <c>kind</c> naming the type.
/// Creating a head from a spec gives freshly initialised parameters; loading fills them from a model zip.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(LinearHeadSpec), LinearHeadSpec.KindName)]
[JsonDerivedType(typeof(MlpHeadSpec), MlpHeadSpec.KindName)]
[JsonDerivedType(typeof(MultiObjective.GatingHeadSpec), MultiObjective.GatingHeadSpec.KindName)]
[JsonDerivedType(typeof(PrototypeHeadSpec), PrototypeHeadSpec.KindName)]
public abstract record HeadSpec
{
    /// <summary>Builds a head with parameters initialised from <paramref name="seed"/> for inputs of <paramref name="inputDimension"/>.</summary>
    public abstract RewardHead Create(int inputDimension, long seed);
}

/// <summary>A linear reward: r(x) = w · x. (A bias would cancel in every Bradley–Terry difference, so there is none.)</summary>
public sealed record LinearHeadSpec : HeadSpec
{
    /// <summary>The manifest's <c>kind</c>.</summary>
    public const string KindName = "linear";

    /// <inheritdoc />
    public override RewardHead Create(int inputDimension, long seed) => new LinearRewardHead(inputDimension);
}

/// <summary>
/// A multi-layer perceptron reward: dense layers with ReLU between them and one scalar output. The reference
/// architecture of the "Reusing Embeddings" paper is D → 1024 → 512 → 1.
/// </summary>
public sealed record MlpHeadSpec : HeadSpec
{
    /// <summary>The manifest's <c>kind</c>.</summary>
    public const string KindName = "mlp";

    /// <summary>Hidden layer sizes, input side first.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [1024, 512];

    /// <inheritdoc />
    public override RewardHead Create(int inputDimension, long seed) => new MlpRewardHead(inputDimension, HiddenSizes, seed);

    /// <inheritdoc />
    public bool Equals(MlpHeadSpec? other) => other is not null && HiddenSizes.SequenceEqual(other.HiddenSizes);

    /// <inheritdoc />
    public override int GetHashCode() => HiddenSizes.Aggregate(17, HashCode.Combine);

    /// <summary>Prints the sizes (a record prints a list as its type name otherwise): <c>MlpHeadSpec { HiddenSizes = [1024, 512] }</c>.</summary>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("HiddenSizes = [").AppendJoin(", ", HiddenSizes).Append(']');
        return true;
    }
}
