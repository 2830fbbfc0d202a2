using System.Text.Json;
using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Tests.Generation;

/// <summary>The SmolLM2 model folder's fixture.json: tokenizer cases and greedy generations from ONNX Runtime (Python).</summary>
internal sealed class SmolLmFixture
{
    public const string ModelName = "SmolLM2-135M-Instruct-q4";

    private static readonly Lazy<SmolLmFixture> Shared = new(() => new SmolLmFixture(Path.Combine(SharedFiles.Model(ModelName), "fixture.json")));

    private SmolLmFixture(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        TokenizerCases = [.. root.GetProperty("tokenizer_cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, Ints(c.GetProperty("ids"))))];
        Generations = [.. root.GetProperty("generations").EnumerateArray().Select(g => new Generation(
            [.. g.GetProperty("messages").EnumerateArray().Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))],
            g.GetProperty("rendered").GetString()!,
            Ints(g.GetProperty("prompt_ids")),
            [.. g.GetProperty("steps").EnumerateArray().Select(s => new Step(
                s.GetProperty("token").GetInt32(),
                Ints(s.GetProperty("top5_ids")),
                [.. s.GetProperty("top5_logits").EnumerateArray().Select(v => v.GetSingle())]))],
            g.GetProperty("text").GetString()!,
            g.GetProperty("tokens_per_second_python_ort").GetDouble()))];
    }

    public static SmolLmFixture Instance => Shared.Value;

    public static string Folder => SharedFiles.Model(ModelName);

    public IReadOnlyList<(string Text, int[] Ids)> TokenizerCases { get; }

    public IReadOnlyList<Generation> Generations { get; }

    private static int[] Ints(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetInt32())];

    public sealed record Generation(ChatMessage[] Messages, string Rendered, int[] PromptIds, Step[] Steps, string Text, double TokensPerSecond);

    public sealed record Step(int Token, int[] Top5Ids, float[] Top5Logits);
}
