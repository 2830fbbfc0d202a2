using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using MLNet.Rewards.Models;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Extensions.AI;

/// <summary>
/// Best-of-N middleware for any <see cref="IChatClient"/>: asks the inner client for several candidate answers, scores
/// each with a reward model and returns the best, with every reward in the response's
/// <see cref="ChatResponse.AdditionalProperties"/> (keys in <see cref="RewardProperties"/>). With a minimum reward it
/// regenerates up to <see cref="RewardRankingOptions.MaxRounds"/> rounds and then refuses or returns the best, as
/// configured. Candidates come from the inner client's <see cref="ICandidateChatClient"/> service when it has one, and
/// otherwise from parallel requests; when the request sets <see cref="ChatOptions.Seed"/>, candidate i of round r asks
/// with seed + r * N + i so that seeded providers give different candidates.
/// </summary>
public sealed class RewardRankedChatClient : DelegatingChatClient
{
    private readonly IRewardScorer _scorer;
    private readonly RewardRankingOptions _options;

    /// <summary>Wraps <paramref name="innerClient"/> so that its answers are ranked by <paramref name="scorer"/>.</summary>
    /// <param name="innerClient">The client that generates candidates.</param>
    /// <param name="scorer">The reward model, e.g. <see cref="RewardModel.Load(string, Featurization.FeaturizerContext?)"/> of a model zip.</param>
    /// <param name="options">Candidates, minimum reward, rounds; default 4 candidates, one round, no minimum.</param>
    public RewardRankedChatClient(IChatClient innerClient, IRewardScorer scorer, RewardRankingOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        _options = options ?? new RewardRankingOptions();
        _options.Validate();
        _scorer = scorer;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        string prompt = _options.PromptOf(conversation);
        var rewards = new List<float>();
        ChatResponse? best = null;
        float bestReward = float.NegativeInfinity;
        int round = 0;
        while (round < _options.MaxRounds && !(best is not null && MeetsMinimum(bestReward)))
        {
            var candidates = await CandidatesAsync(conversation, round, options, cancellationToken).ConfigureAwait(false);
            var scores = _scorer.Score([.. candidates.Select(_ => prompt)], [.. candidates.Select(c => c.Text)]);
            for (int i = 0; i < candidates.Count; i++)
            {
                float reward = scores[i].Reward;
                rewards.Add(reward);
                // A NaN reward never wins: comparisons with NaN are false, so it cannot displace a ranked candidate.
                if (best is null || reward > bestReward)
                {
                    best = candidates[i];
                    bestReward = float.IsNaN(reward) ? float.NegativeInfinity : reward;
                }
            }

            round++;
        }

        bool refused = !MeetsMinimum(bestReward) && _options.BelowMinimum == BelowMinimumReward.Refuse;
        var answer = refused ? Refusal(best!) : best!;
        answer.AdditionalProperties ??= [];
        answer.AdditionalProperties[RewardProperties.Reward] = bestReward;
        answer.AdditionalProperties[RewardProperties.CandidateRewards] = rewards.ToArray();
        answer.AdditionalProperties[RewardProperties.Rounds] = round;
        answer.AdditionalProperties[RewardProperties.Refused] = refused;
        return answer;
    }

    /// <summary>
    /// Streams the chosen answer. The candidates must all be complete before one can be chosen, so this generates and
    /// ranks them as <see cref="GetResponseAsync"/> does and then streams the winner's updates.
    /// </summary>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    private bool MeetsMinimum(float reward) => _options.MinimumReward is not float minimum || reward >= minimum;

    private async Task<IReadOnlyList<ChatResponse>> CandidatesAsync(IReadOnlyList<ChatMessage> conversation, int round, ChatOptions? options, CancellationToken cancellationToken)
    {
        int count = _options.Candidates;
        if (InnerClient.GetService(typeof(ICandidateChatClient)) is ICandidateChatClient batched)
        {
            return await batched.GetCandidatesAsync(conversation, count, SeedFor(options, round * count), cancellationToken).ConfigureAwait(false);
        }

        var requests = Enumerable.Range(0, count).Select(i => InnerClient.GetResponseAsync(conversation, SeedFor(options, (round * count) + i), cancellationToken));
        return await Task.WhenAll(requests).ConfigureAwait(false);
    }

    private static ChatOptions? SeedFor(ChatOptions? options, int offset)
    {
        if (options?.Seed is not long seed)
        {
            return options;
        }

        var copy = options.Clone();
        copy.Seed = seed + offset;
        return copy;
    }

    private ChatResponse Refusal(ChatResponse best) => new(new ChatMessage(ChatRole.Assistant, _options.RefusalText))
    {
        ModelId = best.ModelId,
        CreatedAt = best.CreatedAt,
        FinishReason = ChatFinishReason.ContentFilter,
    };
}

/// <summary>Extension methods that add reward ranking to a chat client.</summary>
public static class RewardRankingChatClientExtensions
{
    /// <summary>Wraps <paramref name="client"/> in a <see cref="RewardRankedChatClient"/>.</summary>
    public static RewardRankedChatClient WithRewardRanking(this IChatClient client, IRewardScorer scorer, RewardRankingOptions? options = null) =>
        new(client, scorer, options);
}
