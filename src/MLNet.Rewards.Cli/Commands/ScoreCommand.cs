using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MLNet.Rewards.Data;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>score</c>: rewards for one (prompt, response) or for JSONL rows on stdin.</summary>
internal static class ScoreCommand
{
    /// <summary>Rows scored per batch when reading stdin.</summary>
    private const int BatchSize = 256;

    public static Command Create()
    {
        var model = SharedOptions.Model(required: true);
        var modelDirectory = SharedOptions.ModelDirectoryOverride();
        var prompt = new Option<string>("--prompt") { Description = "The prompt. With --response, scores that one pair; without both, reads JSONL rows {\"prompt\",\"response\"} from stdin." };
        var response = new Option<string>("--response") { Description = "The response to score." };
        var explain = new Option<bool>("--explain") { Description = "Multi-objective models: also print each objective's reward, the gate weights and the combination used." };
        var combine = new Option<string>("--combine")
        {
            Description = "Multi-objective models: how to combine the objectives instead of the model's default: gate, min, product, soft-min[:T], mean-variance[:k], lower-quantile[:q], linear:w1,w2,...",
        };
        var skip = SharedOptions.SkipBadLines();
        skip.Description = "With JSONL on stdin: skip malformed rows (each reported on stderr with its line number) instead of stopping at the first one.";
        var command = new Command("score", "Print the reward of a response to a prompt, or of each JSONL row on stdin (one JSON result per line, written as each row is scored, with the row's \"id\" when it has one).") { model, modelDirectory, prompt, response, explain, combine, skip };
        command.SetAction((parse, cancel) =>
        {
            RewardCombination? combination = null;
            if (parse.GetValue(combine) is { } text)
            {
                try
                {
                    combination = RewardCombination.Parse(text);
                }
                catch (FormatException e)
                {
                    throw new UsageException($"--combine {e.Message}");
                }
            }

            var rewardModel = RewardModelLoader.Load(parse.GetValue(model)!.FullName, SharedOptions.Context(parse.GetValue(modelDirectory)), combination, parse.GetValue(explain));
            string? p = parse.GetValue(prompt), r = parse.GetValue(response);
            if (p is not null || r is not null)
            {
                if (p is null || r is null)
                {
                    throw new UsageException("--prompt and --response go together; give both, or neither to read JSONL from stdin");
                }

                var result = rewardModel.Score([p], [r])[0];
                Console.WriteLine(result.Count == 1 ? result["reward"]!.GetValue<float>().ToString("R", CultureInfo.InvariantCulture) : result.ToJsonString(ModelArchive.JsonOptions));
                return Task.FromResult(ExitCodes.Success);
            }

            ScoreStream(rewardModel, Console.In, Console.Out, Console.Error, parse.GetValue(skip), cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>
    /// Scores JSONL rows {"prompt","response"[,"id"]} and writes {"id"?, "reward", …} per row, in order. Rows are scored
    /// as they arrive: whatever has been read when the scorer is free (up to <see cref="BatchSize"/> rows) is one batch,
    /// and its results are flushed at once, so a caller that writes one row and waits gets its result. A malformed row
    /// stops the stream after the results before it (or, with <paramref name="skipBadLines"/>, is reported on
    /// <paramref name="errors"/> with its line number and skipped). Returns the line numbers skipped.
    /// </summary>
    internal static IReadOnlyList<long> ScoreStream(IResponseScorer model, TextReader input, TextWriter output, TextWriter errors, bool skipBadLines, CancellationToken cancel)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(4 * BatchSize) { SingleReader = true, SingleWriter = true });
        // A thread of its own: a console read cannot be cancelled, and must not hold a thread-pool thread.
        var reader = new Thread(() =>
        {
            try
            {
                string? line;
                while ((line = input.ReadLine()) is not null && lines.Writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
                {
                    lines.Writer.TryWrite(line);
                }

                lines.Writer.TryComplete();
            }
            catch (Exception e)
            {
                lines.Writer.TryComplete(e);
            }
        })
        { IsBackground = true, Name = "score stdin" };
        reader.Start();

        var skipped = new List<long>();
        var batch = new List<Row>();
        long lineNumber = 0;
        try
        {
            while (lines.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult())
            {
                while (batch.Count < BatchSize && lines.Reader.TryRead(out var line))
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line))
                    {
                        continue;
                    }

                    try
                    {
                        batch.Add(ParseRow(line, lineNumber));
                    }
                    catch (DataFormatException e) when (skipBadLines)
                    {
                        errors.WriteLine($"skipped {e.Message}");
                        skipped.Add(lineNumber);
                    }
                    catch (DataFormatException)
                    {
                        Flush(model, batch, output);
                        throw;
                    }
                }

                Flush(model, batch, output);
                cancel.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            lines.Writer.TryComplete();
        }

        if (skipped.Count > 0)
        {
            errors.WriteLine($"<stdin>: skipped {skipped.Count} malformed line(s): {string.Join(", ", skipped.Take(20))}{(skipped.Count > 20 ? ", …" : string.Empty)}");
        }

        return skipped;
    }

    private static Row ParseRow(string line, long lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected a JSON object, found {root.ValueKind}");
            }

            var id = root.TryGetProperty("id", out var idElement) ? JsonNode.Parse(idElement.GetRawText()) : null;
            return new Row(id, JsonLinesFile.RequiredString(root, "prompt"), JsonLinesFile.RequiredString(root, "response"));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new DataFormatException("<stdin>", lineNumber, e is JsonException ? $"not valid JSON ({e.Message})" : e.Message, e);
        }
    }

    private static void Flush(IResponseScorer model, List<Row> batch, TextWriter output)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var results = model.Score([.. batch.Select(b => b.Prompt)], [.. batch.Select(b => b.Response)]);
        for (int i = 0; i < batch.Count; i++)
        {
            var line = batch[i].Id is { } id ? new JsonObject { ["id"] = id } : new JsonObject();
            foreach (var (key, value) in results[i])
            {
                line[key] = value?.DeepClone();
            }

            output.WriteLine(line.ToJsonString());
        }

        output.Flush();
        batch.Clear();
    }

    /// <summary>One stdin row: its id (any JSON value, echoed as given) and the text to score.</summary>
    private sealed record Row(JsonNode? Id, string Prompt, string Response);
}
