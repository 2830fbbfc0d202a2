namespace MLNet.Rewards.Generation;

/// <summary>How the next token is chosen and when generation stops.</summary>
public sealed record SamplingOptions
{
    /// <summary>Softmax temperature; 0 picks the most likely token (greedy decoding).</summary>
    public float Temperature { get; init; } = 0.7f;

    /// <summary>Sample only among the <c>TopK</c> most likely tokens (0 = no limit).</summary>
    public int TopK { get; init; } = 50;

    /// <summary>Sample only within the smallest set of tokens whose probability reaches <c>TopP</c> (1 = no limit).</summary>
    public float TopP { get; init; } = 0.95f;

    /// <summary>Most tokens generated per candidate.</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>Seed of the sampler: the same seed, prompt and settings give the same text.</summary>
    public long Seed { get; init; }

    /// <summary>Tokens that end a candidate (kept in its ids, not in its text); null = the model's end-of-turn token.</summary>
    public IReadOnlyList<int>? StopTokenIds { get; init; }

    /// <summary>Greedy decoding: always the most likely token.</summary>
    public static SamplingOptions Greedy(int maxNewTokens = 256) => new() { Temperature = 0, TopK = 0, TopP = 1, MaxNewTokens = maxNewTokens };

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(Temperature >= 0 && float.IsFinite(Temperature), nameof(Temperature), Temperature, "must be 0 (greedy) or a positive finite number");
        OptionValidation.Require(TopK >= 0, nameof(TopK), TopK, "must be 0 (no limit) or positive");
        OptionValidation.Require(TopP > 0 && TopP <= 1, nameof(TopP), TopP, "must be in (0, 1]");
        OptionValidation.Require(MaxNewTokens > 0, nameof(MaxNewTokens), MaxNewTokens, "must be positive");
    }
}
