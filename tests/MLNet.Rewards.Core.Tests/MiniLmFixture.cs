using System.Text.Json;

namespace MLNet.Rewards.Tests;

/// <summary>
/// The parity fixture of ../shared/models/all-MiniLM-L6-v2: texts with the token ids and normalised embeddings that
/// sentence-transformers produced.
/// </summary>
internal static class MiniLmFixture
{
    private static readonly Lazy<IReadOnlyList<Item>> LazyItems = new(Load);

    public static string ModelDirectory => SharedFiles.Model("all-MiniLM-L6-v2");

    public static IReadOnlyList<Item> Items => LazyItems.Value;

    private static List<Item> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ModelDirectory, "fixture.json")));
        return [.. document.RootElement.GetProperty("items").EnumerateArray().Select(e => new Item(
            e.GetProperty("text").GetString()!,
            [.. e.GetProperty("input_ids").EnumerateArray().Select(x => x.GetInt32())],
            [.. e.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle())]))];
    }

    public sealed record Item(string Text, int[] InputIds, float[] Embedding);
}
