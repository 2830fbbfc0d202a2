using System.CommandLine;
using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Storage;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// <c>embed</c>: computes the embeddings of every text in data files once and keeps them in an embedding store, so that
/// later train / evaluate / demo runs with the same <c>--store</c> reuse them. Resumable: rerun after an interruption.
/// </summary>
internal static class EmbedCommand
{
    /// <summary>The text fields read from each JSONL object: preference pairs, rated responses and plain text lists.</summary>
    private static readonly string[] TextFields = ["prompt", "chosen", "rejected", "response", "text"];

    /// <summary>The response fields a conversation featurizer embeds with the line's prompt.</summary>
    private static readonly string[] ConversationFields = ["chosen", "rejected", "response"];

    public static Command Create()
    {
        var data = SharedOptions.DataFiles("JSONL or JSONL.gz files; the string fields prompt, chosen, rejected, response and text of each line are embedded (for --featurizer smollm2: each of chosen, rejected and response together with its prompt).");
        var skip = SharedOptions.SkipBadLines();
        var featurizer = new FeaturizerOptions();
        featurizer.Kind.DefaultValueFactory = _ => FeaturizerOptions.MiniLm;
        featurizer.ModelDirectory.Aliases.Add("--model");
        featurizer.Store.Required = true;
        var command = new Command("embed", "Embed every text of data files into an embedding store (SQLite), skipping texts already stored. Interrupt it at any time: the next run resumes.")
        {
            data, skip,
        };
        foreach (var option in featurizer.All.Where(o => o != featurizer.Layout))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            using var scope = featurizer.CreateEmbedder(parse);
            var cached = scope.Cached ?? throw new UsageException($"embed fills the store for one featurizer; for --featurizer {parse.GetValue(featurizer.Kind)} embed with each model part alone (e.g. --featurizer minilm: the concatenation reuses its vectors, and hashing parts are never stored)");
            Func<JsonElement, string[]> read = cached.Spec is IConversationFeaturizerSpec ? ReadConversations : ReadTexts;
            var texts = new List<string>();
            foreach (var file in parse.GetValue(data)!)
            {
                int before = texts.Count;
                var stats = new ReadStatistics();
                foreach (var fields in JsonLinesFile.Read(file.FullName, read, new ReadOptions { SkipBadLines = parse.GetValue(skip) }, stats))
                {
                    texts.AddRange(fields);
                }

                Console.Error.WriteLine($"{file.Name}: {texts.Count - before:N0} texts from {stats.Read:N0} lines{(stats.Skipped > 0 ? $", {stats.Skipped} malformed lines skipped" : string.Empty)}");
            }

            Console.Error.WriteLine($"embedder: {cached.Inner}; store {cached.Store.Path} ({cached.Store.Count:N0} vectors)");
            var result = ProgressDisplay.Run("embedding", progress =>
            {
                cached.Progress = new SynchronousProgress<EmbeddingProgress>(p => progress.Report((p.Done, p.Total)));
                return cached.EnsureStored(texts, cancel);
            });
            Console.WriteLine($"{result.Total:N0} distinct texts: {result.AlreadyStored:N0} already stored, {result.Computed:N0} computed in {result.Elapsed.TotalSeconds:F1} s ({result.ComputedPerSecond:F1} texts/s); store holds {cached.Store.Count:N0} vectors");
            if (cached.Inner is ChatHiddenStateEmbedder chat)
            {
                var done = chat.Statistics;
                Console.WriteLine($"chat model: {done.Tokens:N0} tokens in {done.ModelTime.TotalSeconds:F1} s of model runs ({done.TokensPerSecond:F0} tokens/s); {done.Truncated:N0} of {done.Texts:N0} conversations over the {((ChatHiddenStateFeaturizerSpec)chat.Spec).MaxTokens}-token limit");
            }
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Each response of a line (chosen, rejected, response) with the line's prompt, as a conversation featurizer embeds it.</summary>
    private static string[] ReadConversations(JsonElement line)
    {
        string prompt = line.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()!
            : throw new FormatException("no prompt string (a conversation featurizer embeds each response with its prompt)");
        var texts = ConversationFields.Where(f => line.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String)
            .Select(f => ConversationText.Of(prompt, line.GetProperty(f).GetString()!)).ToArray();
        return texts.Length > 0 ? texts : throw new FormatException($"no response field (expected one of: {string.Join(", ", ConversationFields)})");
    }

    private static string[] ReadTexts(JsonElement line)
    {
        var texts = TextFields.Where(f => line.TryGetProperty(f, out var v) && v.ValueKind == JsonValueKind.String).Select(f => line.GetProperty(f).GetString()!).ToArray();
        return texts.Length > 0 ? texts : throw new FormatException($"no text field (expected one of: {string.Join(", ", TextFields)})");
    }
}
