using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json.Serialization;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// How a multi-objective model turns its objective rewards into one reward: the learned gate, or a fixed scalarizer.
/// Chosen per call at scoring time; the model stores a default. Serialised with <c>kind</c> naming the type.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(GateCombination), GateCombination.KindName)]
[JsonDerivedType(typeof(LinearScalarizer), LinearScalarizer.KindName)]
[JsonDerivedType(typeof(MinScalarizer), MinScalarizer.KindName)]
[JsonDerivedType(typeof(SoftMinScalarizer), SoftMinScalarizer.KindName)]
[JsonDerivedType(typeof(MeanVarianceScalarizer), MeanVarianceScalarizer.KindName)]
[JsonDerivedType(typeof(LowerQuantileScalarizer), LowerQuantileScalarizer.KindName)]
[JsonDerivedType(typeof(ProductScalarizer), ProductScalarizer.KindName)]
public abstract record RewardCombination
{
    /// <summary>A short description with the settings, e.g. <c>soft-min(T=0.5)</c>.</summary>
    public abstract string Describe();

    /// <summary>
    /// Parses the command-line form: <c>gate</c>, <c>min</c>, <c>product</c>, <c>soft-min:T</c>, <c>mean-variance:k</c>,
    /// <c>lower-quantile:q</c> or <c>linear:w1,w2,…</c> (one weight per objective).
    /// </summary>
    /// <exception cref="FormatException">The text names no combination or its setting is not a number.</exception>
    public static RewardCombination Parse(string text)
    {
        string[] parts = text.Split(':', 2, StringSplitOptions.TrimEntries);
        string? argument = parts.Length > 1 ? parts[1] : null;
        RewardCombination combination = parts[0] switch
        {
            GateCombination.KindName => new GateCombination(),
            MinScalarizer.KindName => new MinScalarizer(),
            ProductScalarizer.KindName => new ProductScalarizer(),
            SoftMinScalarizer.KindName => new SoftMinScalarizer { Temperature = Number(argument, 1f, text) },
            MeanVarianceScalarizer.KindName => new MeanVarianceScalarizer { VariancePenalty = Number(argument, 1f, text) },
            LowerQuantileScalarizer.KindName => new LowerQuantileScalarizer { Quantile = Number(argument, 0.25f, text) },
            LinearScalarizer.KindName when argument is not null => new LinearScalarizer { Weights = [.. argument.Split(',').Select(w => Number(w, float.NaN, text))] },
            _ => throw new FormatException($"'{text}' is not a reward combination (expected gate, min, product, soft-min[:T], mean-variance[:k], lower-quantile[:q] or linear:w1,w2,...)"),
        };
        if (combination is Scalarizer scalarizer)
        {
            try
            {
                scalarizer.Validate(scalarizer is LinearScalarizer linear ? linear.Weights.Count : 1);
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"'{text}': {e.Message}", e);
            }
        }

        return combination;
    }

    private static float Number(string? text, float fallback, string whole)
    {
        if (text is null)
        {
            return fallback;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value)
            ? value
            : throw new FormatException($"'{whole}': '{text}' is not a number");
    }
}

/// <summary>The model's trained gate: reward = β Σ_i w_i(prompt) r_i (see <see cref="GatingHeadSpec"/>).</summary>
public sealed record GateCombination : RewardCombination
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "gate";

    /// <inheritdoc />
    public override string Describe() => KindName;
}

/// <summary>A fixed function of the objective rewards alone (MORLAIF's scalarization functions): no prompt, no training needed at scoring time.</summary>
public abstract record Scalarizer : RewardCombination
{
    /// <summary>The scalar reward of one response from its objective rewards.</summary>
    public abstract float Combine(ReadOnlySpan<float> objectives);

    /// <summary>Checks the settings against the number of objectives, naming what is wrong.</summary>
    public virtual void Validate(int objectiveCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(objectiveCount, 1);
    }
}

/// <summary>Σ_i a_i r_i: weights given by the user or fit by logistic regression on preference pairs (<see cref="Fit"/>).</summary>
public sealed record LinearScalarizer : Scalarizer
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "linear";

    /// <summary>One weight per objective, in the model's objective order.</summary>
    public IReadOnlyList<float> Weights { get; init; } = [];

    /// <inheritdoc />
    public override float Combine(ReadOnlySpan<float> objectives)
    {
        float sum = 0;
        for (int i = 0; i < objectives.Length; i++)
        {
            sum += Weights[i] * objectives[i];
        }

        return sum;
    }

    /// <inheritdoc />
    public override void Validate(int objectiveCount)
    {
        base.Validate(objectiveCount);
        if (Weights.Count != objectiveCount)
        {
            throw new ArgumentException($"the linear scalarizer has {Weights.Count} weights but the model has {objectiveCount} objectives");
        }

        if (Weights.Any(w => !float.IsFinite(w)))
        {
            throw new ArgumentException("every linear weight must be a finite number");
        }
    }

    /// <summary>
    /// Fits the weights by logistic regression without intercept on the objective rewards of preference pairs:
    /// P(chosen ≻ rejected) = σ(a · (r_chosen − r_rejected)), which is a Bradley–Terry linear head over the objective rewards,
    /// trained by <see cref="PairwiseTrainer"/> with <paramref name="options"/> (its head is replaced by a linear one).
    /// </summary>
    public static LinearScalarizer Fit(FloatMatrix chosenObjectives, FloatMatrix rejectedObjectives, ulong[] groups, PairwiseTrainerOptions options)
    {
        var data = new PairwiseDataset(chosenObjectives, rejectedObjectives, groups);
        var result = new PairwiseTrainer(options with { Head = new Heads.LinearHeadSpec() }).Fit(data);
        return new LinearScalarizer { Weights = [.. result.Head.Parameters] };
    }

    /// <inheritdoc />
    public override string Describe() => $"linear({string.Join(", ", Weights.Select(w => w.ToString("G4", CultureInfo.InvariantCulture)))})";
}

/// <summary>min_i r_i: the worst objective decides.</summary>
public sealed record MinScalarizer : Scalarizer
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "min";

    /// <inheritdoc />
    public override float Combine(ReadOnlySpan<float> objectives) => TensorPrimitives.Min(objectives);

    /// <inheritdoc />
    public override string Describe() => KindName;
}

/// <summary>
/// Σ_i p_i r_i with p = softmax(−r / T): the mean weighted towards the worst objectives. It tends to the minimum as T → 0
/// and to the plain mean as T → ∞.
/// </summary>
public sealed record SoftMinScalarizer : Scalarizer
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "soft-min";

    /// <summary>Temperature T (positive).</summary>
    public float Temperature { get; init; } = 1f;

    /// <inheritdoc />
    public override float Combine(ReadOnlySpan<float> objectives)
    {
        Span<float> weights = objectives.Length <= 64 ? stackalloc float[objectives.Length] : new float[objectives.Length];
        Kernels.Softmax.Scaled(objectives, -1f / Temperature, weights);
        return TensorPrimitives.Dot(weights, objectives);
    }

    /// <inheritdoc />
    public override void Validate(int objectiveCount)
    {
        base.Validate(objectiveCount);
        if (!(Temperature > 0) || !float.IsFinite(Temperature))
        {
            throw new ArgumentException($"the soft-min temperature must be a positive number, got {Temperature}");
        }
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"soft-min(T={Temperature})");
}

/// <summary>mean_i r_i − k · var_i r_i (population variance): rewards responses that are good on every objective at once.</summary>
public sealed record MeanVarianceScalarizer : Scalarizer
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "mean-variance";

    /// <summary>The variance penalty k (not negative).</summary>
    public float VariancePenalty { get; init; } = 1f;

    /// <inheritdoc />
    public override float Combine(ReadOnlySpan<float> objectives)
    {
        float mean = TensorPrimitives.Average(objectives);
        float variance = 0;
        foreach (float r in objectives)
        {
            variance += (r - mean) * (r - mean);
        }

        return mean - (VariancePenalty * variance / objectives.Length);
    }

    /// <inheritdoc />
    public override void Validate(int objectiveCount)
    {
        base.Validate(objectiveCount);
        if (!(VariancePenalty >= 0) || !float.IsFinite(VariancePenalty))
        {
            throw new ArgumentException($"the variance penalty must be a non-negative number, got {VariancePenalty}");
        }
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"mean-variance(k={VariancePenalty})");
}

/// <summary>The q-quantile of the objective rewards (linear interpolation between order statistics): q = 0 is the minimum, 0.5 the median.</summary>
public sealed record LowerQuantileScalarizer : Scalarizer
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "lower-quantile";

    /// <summary>The quantile q in [0, 1].</summary>
    public float Quantile { get; init; } = 0.25f;

    /// <inheritdoc />
    public override float Combine(ReadOnlySpan<float> objectives)
    {
        var sorted = new double[objectives.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = objectives[i];
        }

        Array.Sort(sorted);
        return (float)Statistics.Quantile(sorted, Quantile);
    }

    /// <inheritdoc />
    public override void Validate(int objectiveCount)
    {
        base.Validate(objectiveCount);
        if (Quantile is not (>= 0 and <= 1))
        {
            throw new ArgumentException($"the quantile must be in [0, 1], got {Quantile}");
        }
    }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"lower-quantile(q={Quantile})");
}

/// <summary>
/// Product of preference probabilities, as a log: Σ_i log σ(r_i − c_i), the log-probability that the response beats a
/// reference response on every objective at once under independent per-objective Bradley–Terry models. The reference c_i
/// is 0: objective rewards are standardised on the model's reference set, so c is the reference set's average response.
/// For two responses a and b of one prompt the pairwise form would be Π_i σ(r_ai − r_bi); the single-response form is
/// used because a reward must score one response alone.
/// </summary>
public sealed record ProductScalarizer : Scalarizer
{
    /// <summary>The <c>kind</c> of this combination.</summary>
    public const string KindName = "product";

    /// <inheritdoc />
    public override float Combine(ReadOnlySpan<float> objectives)
    {
        double sum = 0;
        foreach (float r in objectives)
        {
            sum -= BradleyTerry.Softplus(-r);
        }

        return (float)sum;
    }

    /// <inheritdoc />
    public override string Describe() => KindName;
}
