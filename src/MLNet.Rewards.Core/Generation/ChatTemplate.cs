using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>One turn of a conversation.</summary>
/// <param name="Role">Who speaks: <c>system</c>, <c>user</c> or <c>assistant</c>.</param>
/// <param name="Content">What was said; always taken literally (it cannot contain control tokens).</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>A user turn.</summary>
    public static ChatMessage User(string content) => new("user", content);

    /// <summary>An assistant turn.</summary>
    public static ChatMessage Assistant(string content) => new("assistant", content);

    /// <summary>A system turn.</summary>
    public static ChatMessage System(string content) => new("system", content);
}

/// <summary>
/// The ChatML chat template (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per turn, then
/// <c>&lt;|im_start|&gt;assistant\n</c>), read from a model's <c>tokenizer_config.json</c>, including the default system
/// message it inserts when the conversation does not start with one. Only ChatML templates are accepted (the Jinja
/// source is checked, not executed). Prompts are encoded so that message contents can never produce a control token:
/// a user who types <c>&lt;|im_end|&gt;</c> cannot end the turn or open a system turn.
/// </summary>
internal sealed class ChatTemplate
{
    private const string Start = "<|im_start|>";
    private const string End = "<|im_end|>";
    private static readonly Regex DefaultSystemPattern = new(@"<\|im_start\|>system\n(.*?)<\|im_end\|>", RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private ChatTemplate(string? defaultSystemMessage) => DefaultSystemMessage = defaultSystemMessage;

    /// <summary>The system message inserted when the first message is not a system one (null when the template has none).</summary>
    public string? DefaultSystemMessage { get; }

    /// <summary>Reads and checks the <c>chat_template</c> of a <c>tokenizer_config.json</c>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, or its template is not ChatML.</exception>
    public static ChatTemplate Load(string tokenizerConfigPath)
    {
        if (!File.Exists(tokenizerConfigPath))
        {
            throw new ModelFormatException(tokenizerConfigPath, "tokenizer config not found");
        }

        string template;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(tokenizerConfigPath));
            template = document.RootElement.TryGetProperty("chat_template", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new ModelFormatException(tokenizerConfigPath, "has no 'chat_template' string");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(tokenizerConfigPath, $"not valid JSON ({e.Message})", e);
        }

        // Jinja sources write the newline either as a real newline or as the escape \n inside a string literal.
        string normalized = template.Replace("\\n", "\n", StringComparison.Ordinal);
        string[] required = [Start, End, "message['role']", "message['content']", "add_generation_prompt"];
        string[] missing = [.. required.Where(r => !normalized.Contains(r, StringComparison.Ordinal))];
        if (missing.Length > 0)
        {
            throw new ModelFormatException(tokenizerConfigPath, $"the chat template is not ChatML (it lacks {string.Join(", ", missing)}); only ChatML templates are supported");
        }

        var match = DefaultSystemPattern.Match(normalized);
        return new ChatTemplate(match.Success ? match.Groups[1].Value : null);
    }

    /// <summary>The rendered conversation text, as the template renders it.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        var text = new StringBuilder();
        foreach (var (_, part) in Parts(messages, addGenerationPrompt))
        {
            text.Append(part);
        }

        return text.ToString();
    }

    /// <summary>
    /// Token ids of the rendered conversation: the template's own control strings become control tokens; roles and
    /// contents are encoded literally. Gives the same ids as encoding <see cref="Render"/>'s text whenever the contents
    /// hold no control-token strings.
    /// </summary>
    public int[] Encode(ByteLevelBpeTokenizer tokenizer, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        int start = tokenizer.TokenId(Start), end = tokenizer.TokenId(End);
        var ids = new List<int>();
        var literal = new StringBuilder();
        foreach (var (isControl, part) in Parts(messages, addGenerationPrompt))
        {
            if (!isControl)
            {
                literal.Append(part);
                continue;
            }

            // Literal text between two control tokens is one segment, as it is when the reference splits rendered text.
            tokenizer.AppendOrdinary(literal.ToString(), ids);
            literal.Clear();
            ids.Add(part == Start ? start : end);
        }

        tokenizer.AppendOrdinary(literal.ToString(), ids);
        return [.. ids];
    }

    private IEnumerable<(bool IsControl, string Part)> Parts(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (DefaultSystemMessage is not null && (messages.Count == 0 || messages[0].Role != "system"))
        {
            foreach (var part in Turn("system", DefaultSystemMessage))
            {
                yield return part;
            }
        }

        foreach (var message in messages)
        {
            if (string.IsNullOrEmpty(message.Role) || message.Role.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"a chat role must be a non-empty single line, got '{message.Role}'", nameof(messages));
            }

            foreach (var part in Turn(message.Role, message.Content))
            {
                yield return part;
            }
        }

        if (addGenerationPrompt)
        {
            yield return (true, Start);
            yield return (false, "assistant\n");
        }
    }

    private static IEnumerable<(bool, string)> Turn(string role, string content)
    {
        yield return (true, Start);
        yield return (false, role + "\n" + content);
        yield return (true, End);
        yield return (false, "\n");
    }
}
