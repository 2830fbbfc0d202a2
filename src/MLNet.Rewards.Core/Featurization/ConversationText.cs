using System.Globalization;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// A featurizer spec whose vectors describe a prompt and a response together (a chat model's state after reading the
/// whole conversation), not one text alone. <see cref="PairFeaturizer"/> hands such embedders
/// <see cref="ConversationText"/> keys instead of the bare texts, so stores and caches work unchanged.
/// </summary>
internal interface IConversationFeaturizerSpec
{
}

/// <summary>
/// One string that carries a (prompt, response) or a prompt alone, the unit a conversation featurizer embeds and the
/// text its vectors are stored under. The form is unambiguous: a control character, the prompt's length, the same
/// character, then the prompt and the response. A string not in this form is read as a prompt alone.
/// </summary>
internal static class ConversationText
{
    private const char Mark = '\u0001';

    /// <summary>The key of <paramref name="response"/> given to <paramref name="prompt"/>.</summary>
    public static string Of(string prompt, string response)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        return string.Concat(Mark.ToString(), prompt.Length.ToString(CultureInfo.InvariantCulture), Mark.ToString(), prompt, response);
    }

    /// <summary>The key of <paramref name="prompt"/> alone, ready for the assistant's turn.</summary>
    public static string PromptOnly(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return string.Concat(Mark.ToString(), Mark.ToString(), prompt);
    }

    /// <summary>The prompt and response (null for a prompt alone) that <paramref name="text"/> carries.</summary>
    public static (string Prompt, string? Response) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2 || text[0] != Mark)
        {
            return (text, null);
        }

        int second = text.IndexOf(Mark, 1);
        if (second == 1)
        {
            return (text[2..], null);
        }

        if (second > 1 && int.TryParse(text.AsSpan(1, second - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int promptLength)
            && promptLength <= text.Length - second - 1)
        {
            int start = second + 1;
            return (text.Substring(start, promptLength), text[(start + promptLength)..]);
        }

        return (text, null);
    }
}
