namespace MLNet.Rewards.Heads;

/// <summary>
/// A prototypical reward head (<see cref="PrototypeRewardHead"/>): K prototypes with learned values, reward from the
/// softmax of negative squared distances over a learned temperature.
/// </summary>
public sealed record PrototypeHeadSpec : HeadSpec
{
    /// <summary>The manifest's <c>kind</c>.</summary>
    public const string KindName = "prototype";

    /// <summary>Number of prototypes K.</summary>
    public int Prototypes { get; init; } = 32;

    /// <summary>Starting temperature τ; null sets it from the training data at initialisation (see <see cref="PrototypeRewardHead.Initialize"/>).</summary>
    public double? InitialTemperature { get; init; }

    /// <summary>Lloyd iterations after k-means++ seeding (0 keeps the k-means++ seeds).</summary>
    public int KMeansIterations { get; init; } = 10;

    /// <summary>Most training responses k-means++ looks at (a seeded sample of chosen and rejected rows).</summary>
    public int InitializationSample { get; init; } = 4096;

    /// <inheritdoc />
    public override RewardHead Create(int inputDimension, long seed) => new PrototypeRewardHead(inputDimension, this, seed);

    /// <summary>Checks the settings, naming the one that is out of range.</summary>
    public void Validate()
    {
        OptionValidation.Require(Prototypes >= 1, nameof(Prototypes), Prototypes, "must be at least 1");
        OptionValidation.Require(InitialTemperature is null or (> 0 and < double.PositiveInfinity), nameof(InitialTemperature), InitialTemperature, "must be a positive number (or unset to set it from data)");
        OptionValidation.Require(KMeansIterations >= 0, nameof(KMeansIterations), KMeansIterations, "must not be negative");
        OptionValidation.Require(InitializationSample >= 1, nameof(InitializationSample), InitializationSample, "must be at least 1");
    }
}
