using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Best-of-N: generates N candidates (sharing one prefill), scores each with a reward model and ranks them, best first.
/// Costs one prefill plus one batched model call per generated position, and N reward evaluations.
/// </summary>
public sealed class BestOfNSelector
{
    private readonly TextGenerator _generator;
    private readonly IRewardScorer _scorer;

    /// <summary>Creates a selector from a generator and any reward scorer.</summary>
    public BestOfNSelector(TextGenerator generator, IRewardScorer scorer)
    {
        _generator = generator;
        _scorer = scorer;
    }

    /// <summary>
    /// Generates <paramref name="count"/> answers to <paramref name="messages"/> and ranks them by the reward of
    /// (<paramref name="scoringPrompt"/>, answer); the scoring prompt is the text the reward model was trained on as
    /// "prompt" (usually the user's message). A <paramref name="guide"/> (e.g. GenARM) steers every candidate.
    /// </summary>
    public BestOfNResult Generate(IReadOnlyList<ChatMessage> messages, string scoringPrompt, int count, SamplingOptions options, INextTokenGuide? guide = null, Action<GeneratedPiece>? onText = null, CancellationToken cancellationToken = default)
    {
        var generation = _generator.Generate(messages, count, options, guide, onText, cancellationToken);
        return Rank(scoringPrompt, generation);
    }

    /// <summary>
    /// Scores and ranks already generated candidates. A candidate whose reward is NaN or infinite (a model that cannot
    /// score it) ranks below every finite one.
    /// </summary>
    /// <exception cref="InvalidOperationException">No candidate got a finite reward.</exception>
    public BestOfNResult Rank(string scoringPrompt, GenerationResult generation)
    {
        var candidates = generation.Candidates;
        var scores = _scorer.Score([.. candidates.Select(_ => scoringPrompt)], [.. candidates.Select(c => c.Text)]);
        if (candidates.Count > 0 && !scores.Any(s => float.IsFinite(s.Reward)))
        {
            throw new InvalidOperationException($"{_scorer.Description} gave no finite reward to any of the {candidates.Count} candidates (first: {scores[0].Reward}); best-of-N cannot choose");
        }

        var ranked = candidates
            .Select((c, i) => (Candidate: c, Score: scores[i]))
            .OrderByDescending(x => float.IsFinite(x.Score.Reward))
            .ThenByDescending(x => x.Score.Reward)
            .ThenBy(x => x.Candidate.Candidate)
            .Select((x, rank) => new RankedCandidate(rank + 1, x.Candidate, x.Score))
            .ToArray();
        return new BestOfNResult(ranked, generation);
    }
}

/// <summary>A candidate with its reward and rank (1 = best).</summary>
/// <param name="Rank">1-based rank by reward.</param>
/// <param name="Candidate">The generated answer.</param>
/// <param name="Score">Its reward (and explanation, where the model gives one).</param>
public sealed record RankedCandidate(int Rank, GeneratedText Candidate, RewardScore Score);

/// <summary>Best-of-N's output: all candidates ranked, and the generation's cost.</summary>
/// <param name="Ranked">Candidates, best first.</param>
/// <param name="Generation">The underlying generation (timings, model calls).</param>
public sealed record BestOfNResult(IReadOnlyList<RankedCandidate> Ranked, GenerationResult Generation)
{
    /// <summary>The highest-reward candidate.</summary>
    public RankedCandidate Best => Ranked[0];

    /// <summary>
    /// The highest-reward candidate among the first <paramref name="count"/> (by candidate index). Candidate i draws
    /// from its own seeded generator, so this is what best-of-<paramref name="count"/> with the same seed returns: one
    /// run of N candidates gives the whole best-of-k curve for k ≤ N.
    /// </summary>
    public RankedCandidate BestOfFirst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Ranked.Count);
        return Ranked.First(r => r.Candidate.Candidate < count);
    }
}
