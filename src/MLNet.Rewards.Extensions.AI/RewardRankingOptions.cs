using Microsoft.Extensions.AI;

namespace MLNet.Rewards.Extensions.AI;

/// <summary>What <see cref="RewardRankedChatClient"/> does when even the best candidate's reward is below <see cref="RewardRankingOptions.MinimumReward"/>.</summary>
public enum BelowMinimumReward
{
    /// <summary>Return the best candidate anyway (its reward is in the response's properties).</summary>
    ReturnBest,

    /// <summary>Return <see cref="RewardRankingOptions.RefusalText"/> with finish reason <see cref="ChatFinishReason.ContentFilter"/>.</summary>
    Refuse,
}

/// <summary>Options of <see cref="RewardRankedChatClient"/>: how many candidates to ask for and what reward to demand.</summary>
public sealed record RewardRankingOptions
{
    /// <summary>Candidates asked for per round (best-of-N); at least 1. Default 4.</summary>
    public int Candidates { get; init; } = 4;

    /// <summary>The lowest acceptable reward, or null to accept the best candidate whatever its reward.</summary>
    public float? MinimumReward { get; init; }

    /// <summary>Rounds of <see cref="Candidates"/> candidates to try while the best is below <see cref="MinimumReward"/>; at least 1. Default 1.</summary>
    public int MaxRounds { get; init; } = 1;

    /// <summary>What to answer when no round reached <see cref="MinimumReward"/>. Default <see cref="BelowMinimumReward.Refuse"/>.</summary>
    public BelowMinimumReward BelowMinimum { get; init; } = BelowMinimumReward.Refuse;

    /// <summary>The answer given by <see cref="BelowMinimumReward.Refuse"/>.</summary>
    public string RefusalText { get; init; } = "I can't give a good answer to that.";

    /// <summary>
    /// Turns the conversation into the prompt text the reward model scores the response against. Default
    /// <see cref="ConversationPrompt.LastUserMessage"/>, the form the shared single-turn preference data has.
    /// </summary>
    public Func<IReadOnlyList<ChatMessage>, string> PromptOf { get; init; } = ConversationPrompt.LastUserMessage;

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (Candidates < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Candidates), Candidates, "at least one candidate is needed");
        }

        if (MaxRounds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRounds), MaxRounds, "at least one round is needed");
        }

        if (MinimumReward is float minimum && !float.IsFinite(minimum))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumReward), minimum, "the minimum reward must be a finite number");
        }

        ArgumentNullException.ThrowIfNull(PromptOf);
        ArgumentNullException.ThrowIfNull(RefusalText);
    }
}

/// <summary>Ways to turn a conversation into the prompt text a reward model scores.</summary>
public static class ConversationPrompt
{
    /// <summary>The text of the last user message (empty when there is none).</summary>
    public static string LastUserMessage(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                return messages[i].Text;
            }
        }

        return "";
    }
}

/// <summary>The keys under which <see cref="RewardRankedChatClient"/> puts its rewards in a response's <see cref="ChatResponse.AdditionalProperties"/>.</summary>
public static class RewardProperties
{
    /// <summary>The chosen response's reward (float).</summary>
    public const string Reward = "mlnet.rewards.reward";

    /// <summary>Every candidate's reward, in the order they were generated over all rounds (float[]).</summary>
    public const string CandidateRewards = "mlnet.rewards.candidate_rewards";

    /// <summary>Rounds of candidates generated (int).</summary>
    public const string Rounds = "mlnet.rewards.rounds";

    /// <summary>Whether the answer is the refusal because no candidate reached the minimum reward (bool).</summary>
    public const string Refused = "mlnet.rewards.refused";
}
