using System.Text.Json.Serialization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.MultiObjective;

/// <summary>Where an objective's reward comes from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ObjectiveKind>))]
public enum ObjectiveKind
{
    /// <summary>A ridge regression on absolute ratings of one attribute (ArmoRM stage 1): a linear head.</summary>
    Regression,

    /// <summary>A Bradley–Terry head trained on one principle's preference pairs (MORLAIF).</summary>
    Preference,

    /// <summary>Computed from the response, not learned: its length.</summary>
    Measured,
}

/// <summary>
/// What a model stores about one objective: its name and kind, its head architecture or length measure, and how its raw
/// reward is turned into the value the combiners see: v = (raw − Mean) / Scale − VerbosityLambda · verbosity, where
/// verbosity is the standardised response length (see <see cref="VerbosityReference"/>).
/// </summary>
public sealed record ObjectiveDescriptor
{
    /// <summary>Unique name (e.g. <c>helpfulness</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Where the reward comes from.</summary>
    public required ObjectiveKind Kind { get; init; }

    /// <summary>The head architecture, for learned objectives; null for measured ones.</summary>
    public HeadSpec? Head { get; init; }

    /// <summary>The length measure, for measured objectives; null for learned ones.</summary>
    public LengthMeasure? Measure { get; init; }

    /// <summary>Mean raw reward on the reference set.</summary>
    public float Mean { get; init; }

    /// <summary>Standard deviation of the raw reward on the reference set (1 when it was constant).</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>λ of the verbosity decorrelation (0 when off, and always for measured objectives).</summary>
    public float VerbosityLambda { get; init; }

    /// <summary>Numbers measured when the objective was made (ridge penalty and validation error, validation accuracy, correlations).</summary>
    public Dictionary<string, double> Metrics { get; init; } = [];
}

/// <summary>One objective of a model: its descriptor and, for learned objectives, its head over the response features.</summary>
/// <param name="Descriptor">Name, kind, standardisation and decorrelation.</param>
/// <param name="Head">The trained head; null for measured objectives.</param>
public sealed record Objective(ObjectiveDescriptor Descriptor, RewardHead? Head);

/// <summary>The scale on which response length enters verbosity decorrelation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VerbosityScale>))]
public enum VerbosityScale
{
    /// <summary>The length itself.</summary>
    Linear,

    /// <summary>ln(1 + length): a long response is penalised for its order of magnitude, so one λ fits short and long responses alike.</summary>
    Logarithmic,
}

/// <summary>
/// The verbosity signal of decorrelation: the response length in <see cref="Measure"/>, on <see cref="Scale"/>, standardised
/// with the reference set's <see cref="Mean"/> and <see cref="StandardDeviation"/>.
/// </summary>
/// <param name="Measure">How length is measured.</param>
/// <param name="Scale">Linear or logarithmic length.</param>
/// <param name="Mean">Mean of the (scaled) length on the reference set.</param>
/// <param name="StandardDeviation">Standard deviation of the (scaled) length on the reference set.</param>
public sealed record VerbosityReference(LengthMeasure Measure, VerbosityScale Scale, float Mean, float StandardDeviation)
{
    /// <summary>The scaled, unstandardised length of <paramref name="response"/>.</summary>
    public float Raw(string response)
    {
        float length = Measure.Of(response);
        return Scale == VerbosityScale.Logarithmic ? MathF.Log(1f + length) : length;
    }

    /// <summary>The standardised verbosity of <paramref name="response"/>.</summary>
    public float Of(string response) => (Raw(response) - Mean) / StandardDeviation;
}

/// <summary>An objective to train, with its data.</summary>
/// <param name="Name">Unique objective name.</param>
public abstract record ObjectiveDefinition(string Name);

/// <summary>A ridge regression of one rating attribute; rows where it is missing are masked.</summary>
/// <param name="Name">Objective name.</param>
/// <param name="Attribute">The rating to regress (a key of <see cref="RatedResponse.Ratings"/>).</param>
/// <param name="Data">The rated responses.</param>
public sealed record RegressionObjectiveDefinition(string Name, string Attribute, IReadOnlyList<RatedResponse> Data) : ObjectiveDefinition(Name);

/// <summary>A Bradley–Terry head trained on one principle's preference pairs.</summary>
/// <param name="Name">Objective name.</param>
/// <param name="Pairs">The principle's pairs.</param>
/// <param name="Trainer">Trainer settings; null uses <see cref="MultiObjectiveTrainerOptions.Preference"/>.</param>
public sealed record PreferenceObjectiveDefinition(string Name, IReadOnlyList<PreferencePair> Pairs, PairwiseTrainerOptions? Trainer = null) : ObjectiveDefinition(Name);

/// <summary>The response length, computed.</summary>
/// <param name="Name">Objective name.</param>
/// <param name="Measure">Characters or words.</param>
public sealed record MeasuredObjectiveDefinition(string Name, LengthMeasure Measure) : ObjectiveDefinition(Name);
