using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Experiments.Generation;

/// <summary>
/// How fast one or more single-candidate generations ran, split into the prompt's run (prefill, which also yields the
/// first new token) and the decoding steps that follow (one model call per further token).
/// </summary>
/// <param name="Generations">Generations added up.</param>
/// <param name="PromptTokens">Prompt tokens over all generations.</param>
/// <param name="GeneratedTokens">New tokens over all generations (including a final end-of-turn token).</param>
/// <param name="Prefill">Time of the prompts' runs, up to the first new token's logits.</param>
/// <param name="Decode">Time from there to the end of each generation.</param>
internal sealed record DecodingSpeed(int Generations, int PromptTokens, int GeneratedTokens, TimeSpan Prefill, TimeSpan Decode)
{
    /// <summary>Tokens produced by decoding steps: all but each generation's first, which comes from its prefill.</summary>
    public int DecodedTokens => GeneratedTokens - Generations;

    /// <summary>Decoding steps per second (prefill excluded).</summary>
    public double DecodeTokensPerSecond => DecodedTokens / Decode.TotalSeconds;

    /// <summary>New tokens per second of the whole generation (prefill included).</summary>
    public double TotalTokensPerSecond => GeneratedTokens / (Prefill + Decode).TotalSeconds;

    /// <summary>The speed of a generation with one candidate.</summary>
    /// <exception cref="ArgumentException">The generation has more than one candidate.</exception>
    public static DecodingSpeed Of(GenerationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Candidates.Count != 1)
        {
            throw new ArgumentException($"decoding speed is defined for one candidate; the generation has {result.Candidates.Count}", nameof(result));
        }

        return new DecodingSpeed(1, result.PromptTokens, result.GeneratedTokens, result.PrefillTime, result.Elapsed - result.PrefillTime);
    }

    /// <summary>The speeds added up: total tokens over total time.</summary>
    public static DecodingSpeed Sum(IEnumerable<DecodingSpeed> speeds) =>
        speeds.Aggregate(new DecodingSpeed(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero), (a, b) =>
            new DecodingSpeed(a.Generations + b.Generations, a.PromptTokens + b.PromptTokens, a.GeneratedTokens + b.GeneratedTokens, a.Prefill + b.Prefill, a.Decode + b.Decode));
}
