using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Extensions.AI.Tests;

/// <summary>A chat client that answers with scripted texts in turn and records the options of every request.</summary>
internal sealed class ScriptedChatClient(params string[] answers) : IChatClient
{
    private int _next = -1;

    public List<ChatOptions?> Requests { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        lock (Requests)
        {
            Requests.Add(options);
        }

        int index = Interlocked.Increment(ref _next);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answers[index % answers.Length])) { ModelId = "scripted" });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>Rewards a response by a fixed table of texts (NaN for "nan"), with an explanation naming the text's length.</summary>
internal sealed class TableScorer(IReadOnlyDictionary<string, float> rewards) : IRewardScorer
{
    public List<(string Prompt, string Response)> Seen { get; } = [];

    public string Description => "table";

    public IReadOnlyList<RewardScore> Score(IReadOnlyList<string> prompts, IReadOnlyList<string> responses)
    {
        Seen.AddRange(prompts.Zip(responses));
        return [.. responses.Select(r => new RewardScore(rewards[r], new Dictionary<string, float> { ["length"] = r.Length }))];
    }
}
