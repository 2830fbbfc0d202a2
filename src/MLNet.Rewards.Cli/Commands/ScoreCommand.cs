using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
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
        var command = new Command("score", "Print the reward of a response to a prompt, or of each JSONL row on stdin (one JSON result per line).") { model, modelDirectory, prompt, response, explain, combine };
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

            ScoreStream(rewardModel, Console.In, Console.Out, cancel);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Scores JSONL rows {"prompt","response"[,"id"]} and writes {"id"?, "reward", …} per row, in order, in batches.</summary>
    internal static void ScoreStream(IResponseScorer model, TextReader input, TextWriter output, CancellationToken cancel)
    {
        var batch = new List<(string? Id, string Prompt, string Response)>();
        long lineNumber = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            batch.Add(ParseRow(line, lineNumber));
            if (batch.Count == BatchSize)
            {
                Flush(model, batch, output);
                cancel.ThrowIfCancellationRequested();
            }
        }

        Flush(model, batch, output);
    }

    private static (string? Id, string Prompt, string Response) ParseRow(string line, long lineNumber)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected a JSON object, found {root.ValueKind}");
            }

            string? id = root.TryGetProperty("id", out var idElement) ? idElement.ToString() : null;
            return (id, JsonLinesFile.RequiredString(root, "prompt"), JsonLinesFile.RequiredString(root, "response"));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new DataFormatException("<stdin>", lineNumber, e is JsonException ? $"not valid JSON ({e.Message})" : e.Message, e);
        }
    }

    private static void Flush(IResponseScorer model, List<(string? Id, string Prompt, string Response)> batch, TextWriter output)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var results = model.Score([.. batch.Select(b => b.Prompt)], [.. batch.Select(b => b.Response)]);
        for (int i = 0; i < batch.Count; i++)
        {
            var line = batch[i].Id is null ? new JsonObject() : new JsonObject { ["id"] = batch[i].Id };
            foreach (var (key, value) in results[i])
            {
                line[key] = value?.DeepClone();
            }

            output.WriteLine(line.ToJsonString());
        }

        output.Flush();
        batch.Clear();
    }
}
