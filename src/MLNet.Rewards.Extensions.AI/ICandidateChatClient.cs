using Microsoft.Extensions.AI;

namespace MLNet.Rewards.Extensions.AI;

/// <summary>
/// A chat client that can produce several candidate answers to one conversation in one call (for a local model: one
/// shared prompt run and a batch of candidates). <see cref="RewardRankedChatClient"/> asks its inner client for this
/// service through <see cref="IChatClient.GetService"/> and falls back to parallel single requests without it.
/// </summary>
public interface ICandidateChatClient
{
    /// <summary>Generates <paramref name="count"/> candidate answers to <paramref name="messages"/>.</summary>
    Task<IReadOnlyList<ChatResponse>> GetCandidatesAsync(IReadOnlyList<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
