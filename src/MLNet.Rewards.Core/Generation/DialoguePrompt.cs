using System.Text.RegularExpressions;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Turns a preference-data prompt into chat messages: Anthropic HH transcripts ("\n\nHuman: ...\n\nAssistant: ...") become
/// alternating user/assistant turns (the trailing empty "Assistant:" is the turn to generate); any other prompt is one
/// user message.
/// </summary>
internal static partial class DialoguePrompt
{
    /// <summary>The chat messages of <paramref name="prompt"/>.</summary>
    public static List<ChatMessage> ToMessages(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var matches = Turns().Matches(prompt);
        if (matches.Count == 0)
        {
            return [ChatMessage.User(prompt.Trim())];
        }

        var messages = new List<ChatMessage>();
        for (int i = 0; i < matches.Count; i++)
        {
            int start = matches[i].Index + matches[i].Length;
            int end = i + 1 < matches.Count ? matches[i + 1].Index : prompt.Length;
            string content = prompt[start..end].Trim();
            string role = matches[i].Groups[1].Value == "Human" ? "user" : "assistant";
            if (content.Length > 0)
            {
                messages.Add(new ChatMessage(role, content));
            }
        }

        return messages.Count > 0 ? messages : [ChatMessage.User(prompt.Trim())];
    }

    /// <summary>
    /// The prompt ids of <paramref name="messages"/> in at most <paramref name="maxTokens"/> tokens: the earliest turns are
    /// dropped first; if the last turn alone is still too long, its beginning is cut.
    /// </summary>
    public static int[] EncodeWithin(CausalLanguageModel model, IReadOnlyList<ChatMessage> messages, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        var kept = messages.ToList();
        int[] ids = model.EncodeChat(kept);
        while (ids.Length > maxTokens && kept.Count > 1)
        {
            kept.RemoveAt(0);
            ids = model.EncodeChat(kept);
        }

        while (ids.Length > maxTokens && kept[^1].Content.Length > 1)
        {
            string content = kept[^1].Content;
            kept[^1] = kept[^1] with { Content = content[(content.Length / 4)..] };
            ids = model.EncodeChat(kept);
        }

        return ids.Length <= maxTokens ? ids : throw new ArgumentException($"the chat template alone takes {ids.Length} tokens, more than the limit of {maxTokens}", nameof(maxTokens));
    }

    [GeneratedRegex(@"\n\n(Human|Assistant):", RegexOptions.CultureInvariant)]
    private static partial Regex Turns();
}
