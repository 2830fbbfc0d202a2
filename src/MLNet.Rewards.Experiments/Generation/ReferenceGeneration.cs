using System.Text.Json;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Experiments.Generation;

/// <summary>
/// A greedy generation recorded by a reference runtime in a model folder's <c>fixture.json</c> (for SmolLM2: ONNX
/// Runtime driven from Python): the conversation, its prompt ids, the ids greedy decoding produced (ending with the
/// end-of-turn token when it stopped there), the five best logits of every step and the reference's own speed. Used to
/// check that a runner being timed decodes as the reference did.
/// </summary>
/// <param name="Messages">The conversation the prompt renders.</param>
/// <param name="PromptIds">The rendered prompt's token ids.</param>
/// <param name="TokenIds">The ids greedy decoding produced, in order.</param>
/// <param name="TopLogits">Per step, the reference's five best tokens and their logits, best first.</param>
/// <param name="ReferenceTokensPerSecond">The speed the fixture records for its runtime (measured where the fixture was made).</param>
internal sealed record ReferenceGeneration(IReadOnlyList<ChatMessage> Messages, int[] PromptIds, int[] TokenIds, IReadOnlyList<(int Token, float Logit)[]> TopLogits, double ReferenceTokensPerSecond)
{
    /// <summary>The name of the fixture file in a model folder.</summary>
    public const string FixtureFileName = "fixture.json";

    /// <summary>
    /// How far below the reference's best logit another token may be for a runner's choice of it to count as a near tie
    /// (in logits). ONNX Runtime's 4-bit MatMulNBits kernels differ by instruction set: on an AVX2 CPU without AVX-512
    /// they move SmolLM2's top logits by up to 0.85 from the fixture's (measured on its four prompts), which flips a
    /// token the reference chose by 0.11.
    /// </summary>
    public const float NearTieMargin = 0.5f;

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

    /// <summary>
    /// Checks that <paramref name="generated"/> equals <see cref="TokenIds"/>, or equals them up to a step where the
    /// runner chose another of the reference's five best tokens within <see cref="NearTieMargin"/> of its choice (after
    /// which the two sequences are no longer comparable).
    /// </summary>
    /// <param name="generated">The ids a runner produced from <see cref="PromptIds"/>.</param>
    /// <param name="runner">Who produced them, for the message.</param>
    /// <returns>The step of the near tie where the runner departed from the reference, or null when the ids are equal.</returns>
    /// <exception cref="GenerationMismatchException">The ids differ otherwise; the message names the first differing step and both sequences.</exception>
    public int? Verify(IReadOnlyList<int> generated, string runner)
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
            return null;
        }

        if (step < common && IsNearTie(step, generated[step]))
        {
            return step;
        }

        string what = step < common
            ? $"at step {step} the reference chose token {TokenIds[step]} and {runner} chose {generated[step]}"
            : $"{runner} produced {generated.Count} tokens and the reference {TokenIds.Length}";
        throw new GenerationMismatchException(
            $"greedy decoding of '{Label}' differs from the reference: {what} (reference [{string.Join(", ", TokenIds)}], {runner} [{string.Join(", ", generated)}])");
    }

    private bool IsNearTie(int step, int token)
    {
        var top = TopLogits[step];
        int chosen = Array.FindIndex(top, t => t.Token == TokenIds[step]);
        int taken = Array.FindIndex(top, t => t.Token == token);
        return chosen >= 0 && taken >= 0 && top[chosen].Logit - top[taken].Logit <= NearTieMargin;
    }

    private static ReferenceGeneration Parse(JsonElement generation, string where)
    {
        var messages = Field(generation, "messages", where).EnumerateArray()
            .Select(m => new ChatMessage(Field(m, "role", where).GetString()!, Field(m, "content", where).GetString()!))
            .ToList();
        int[] promptIds = [.. Field(generation, "prompt_ids", where).EnumerateArray().Select(v => v.GetInt32())];
        var steps = Field(generation, "steps", where).EnumerateArray().ToList();
        int[] tokenIds = [.. steps.Select(s => Field(s, "token", where).GetInt32())];
        double speed = Field(generation, "tokens_per_second_python_ort", where).GetDouble();
        if (promptIds.Length == 0 || tokenIds.Length == 0)
        {
            throw new ModelFormatException(where, "a generation needs prompt_ids and at least one step");
        }

        var topLogits = steps.Select(s => TopOf(s, where)).ToList();
        return new ReferenceGeneration(messages, promptIds, tokenIds, topLogits, speed);
    }

    private static (int Token, float Logit)[] TopOf(JsonElement step, string where)
    {
        int[] ids = [.. Field(step, "top5_ids", where).EnumerateArray().Select(v => v.GetInt32())];
        float[] logits = [.. Field(step, "top5_logits", where).EnumerateArray().Select(v => v.GetSingle())];
        if (ids.Length != logits.Length || ids.Length == 0)
        {
            throw new ModelFormatException(where, "a step needs as many top5_ids as top5_logits, at least one");
        }

        return [.. ids.Zip(logits)];
    }

    private static JsonElement Field(JsonElement element, string name, string where) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new ModelFormatException(where, $"has no '{name}'");
}

/// <summary>A runner's generated ids differ from the reference's.</summary>
internal sealed class GenerationMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GenerationMismatchException(string message)
        : base(message)
    {
    }
}
