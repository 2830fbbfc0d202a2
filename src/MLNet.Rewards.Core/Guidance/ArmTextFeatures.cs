namespace MLNet.Rewards.Guidance;

/// <summary>
/// What the autoregressive reward head needs about one response, computed once by running the frozen base model over
/// prompt + response: for every response token t, the base model's final hidden state h_t before predicting it, the
/// base logits of its top-K tokens at that position, the log of the base probability mass outside them (as a logit sum),
/// and the token actually written with its base logit. Training never runs the base model again.
/// </summary>
public sealed class ArmTextFeatures
{
    /// <summary>Allocates features for <paramref name="length"/> response tokens.</summary>
    public ArmTextFeatures(int length, int hiddenSize, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        Length = length;
        HiddenSize = hiddenSize;
        TopK = topK;
        Hidden = new float[length * hiddenSize];
        CandidateIds = new int[length * topK];
        CandidateLogits = new float[length * topK];
        LogRest = new float[length];
        Targets = new int[length];
        TargetLogits = new float[length];
        TargetSlots = new int[length];
    }

    /// <summary>Response tokens.</summary>
    public int Length { get; }

    /// <summary>Width of a hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Candidates stored per position (the base model's top-K).</summary>
    public int TopK { get; }

    /// <summary>Hidden states [Length, HiddenSize].</summary>
    public float[] Hidden { get; }

    /// <summary>Top-K token ids per position [Length, TopK], most likely first.</summary>
    public int[] CandidateIds { get; }

    /// <summary>Their base logits [Length, TopK].</summary>
    public float[] CandidateLogits { get; }

    /// <summary>log Σ exp(logit) over every token outside the top-K, per position.</summary>
    public float[] LogRest { get; }

    /// <summary>The response token at each position.</summary>
    public int[] Targets { get; }

    /// <summary>Its base logit.</summary>
    public float[] TargetLogits { get; }

    /// <summary>Its index among the candidates, or -1 when it is outside the top-K.</summary>
    public int[] TargetSlots { get; }

    /// <summary>Hidden state of position <paramref name="t"/>.</summary>
    public ReadOnlySpan<float> HiddenAt(int t) => Hidden.AsSpan(t * HiddenSize, HiddenSize);

    /// <summary>Candidate ids of position <paramref name="t"/>.</summary>
    public ReadOnlySpan<int> CandidatesAt(int t) => CandidateIds.AsSpan(t * TopK, TopK);

    /// <summary>Candidate logits of position <paramref name="t"/>.</summary>
    public ReadOnlySpan<float> CandidateLogitsAt(int t) => CandidateLogits.AsSpan(t * TopK, TopK);
}

/// <summary>The features of a preference pair's two responses.</summary>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The other one.</param>
public sealed record ArmPairFeatures(ArmTextFeatures Chosen, ArmTextFeatures Rejected);
