using System.Text.Json;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>
/// A greedy generation recorded by a reference runtime in a model folder's <c>fixture.json</c> (for SmolLM2: ONNX
/// Runtime driven from Python): the conversation, its prompt ids, the ids greedy decoding produced (ending with the
/// end-of-turn token when it stopped there) and the reference's own speed. Used to check that a runner being timed
/// decodes exactly as the reference did.
/// </summary>
/// <param name="Messages">The conversation the prompt renders.</param>
/// <param name="PromptIds">The rendered prompt's token ids.</param>
/// <param name="TokenIds">The ids greedy decoding produced, in order.</param>
/// <param name="ReferenceTokensPerSecond">The speed the fixture records for its runtime (measured where the fixture was made).</param>
public sealed record ReferenceGeneration(IReadOnlyList<ChatMessage> Messages, int[] PromptIds, int[] TokenIds, double ReferenceTokensPerSecond)
{
    /// <summary>The name of the fixture file in a model folder.</summary>
    public const string FixtureFileName = "fixture.json";

    /// <summary>The last message's text: a short label for reports.</summary>
    public string Label => Messages.Count == 0 ? "" : Messages[^1].Content;

    /// <summary>Greedy decoding with the fixture's length: as many new tokens as the reference produced.</summary>
    public SamplingOptions GreedyOptions => SamplingOptions.Greedy(TokenIds.Length);

    /// <summary>Reads the <c>generations</c> of a fixture file.</summary>
    /// <exception cref="ModelFormatException">The file is missing, not JSON, or lacks a field; the message names it.</exception>
    public static IReadOnlyList<ReferenceGeneration> ReadFixture(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "fixture file not found");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var generations = Field(document.RootElement, "generations", path);
            return [.. generations.EnumerateArray().Select((g, i) => Parse(g, $"{path}: generations[{i}]"))];
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not valid JSON ({e.Message})", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFormatException(path, $"a field has the wrong type ({e.Message})", e);
        }
    }

    /// <summary>Checks that <paramref name="generated"/> equals <see cref="TokenIds"/>.</summary>
    /// <param name="generated">The ids a runner produced from <see cref="PromptIds"/>.</param>
    /// <param name="runner">Who produced them, for the message.</param>
    /// <exception cref="GenerationMismatchException">The ids differ; the message names the first differing step and both sequences.</exception>
    public void Verify(IReadOnlyList<int> generated, string runner)
    {
        ArgumentNullException.ThrowIfNull(generated);
        int common = Math.Min(generated.Count, TokenIds.Length);
        int step = 0;
        while (step < common && generated[step] == TokenIds[step])
        {
            step++;
        }

        if (step == common && generated.Count == TokenIds.Length)
        {
            return;
        }

        string what = step < common
            ? $"at step {step} the reference chose token {TokenIds[step]} and {runner} chose {generated[step]}"
            : $"{runner} produced {generated.Count} tokens and the reference {TokenIds.Length}";
        throw new GenerationMismatchException(
            $"greedy decoding of '{Label}' differs from the reference: {what} (reference [{string.Join(", ", TokenIds)}], {runner} [{string.Join(", ", generated)}])");
    }

    private static ReferenceGeneration Parse(JsonElement generation, string where)
    {
        var messages = Field(generation, "messages", where).EnumerateArray()
            .Select(m => new ChatMessage(Field(m, "role", where).GetString()!, Field(m, "content", where).GetString()!))
            .ToList();
        int[] promptIds = [.. Field(generation, "prompt_ids", where).EnumerateArray().Select(v => v.GetInt32())];
        int[] tokenIds = [.. Field(generation, "steps", where).EnumerateArray().Select(s => Field(s, "token", where).GetInt32())];
        double speed = Field(generation, "tokens_per_second_python_ort", where).GetDouble();
        if (promptIds.Length == 0 || tokenIds.Length == 0)
        {
            throw new ModelFormatException(where, "a generation needs prompt_ids and at least one step");
        }

        return new ReferenceGeneration(messages, promptIds, tokenIds, speed);
    }

    private static JsonElement Field(JsonElement element, string name, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new ModelFormatException(where, $"has no '{name}'");
}

/// <summary>A runner's generated ids differ from the reference's.</summary>
public sealed class GenerationMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GenerationMismatchException(string message)
        : base(message)
    {
    }
}
