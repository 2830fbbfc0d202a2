using System.Globalization;

namespace RewardScoringService;

/// <summary>Command-line settings of the service, with the bounds on concurrency and on the work of one request.</summary>
/// <param name="ModelPath">The ML.NET model zip (<c>--model</c>).</param>
/// <param name="Port">Loopback port (<c>--port</c>, 5080).</param>
/// <param name="ScoreColumn">The Single column the model writes (<c>--score-column</c>, Score).</param>
public sealed record ServiceSettings(string ModelPath, int Port, string ScoreColumn)
{
    /// <summary>Requests scored at once (<c>--max-concurrent-requests</c>); default twice the processor count.</summary>
    public int MaxConcurrentRequests { get; init; } = 2 * Environment.ProcessorCount;

    /// <summary>Requests waiting for a slot (<c>--max-queued-requests</c>, 256); past it a request is answered 429.</summary>
    public int MaxQueuedRequests { get; init; } = 256;

    /// <summary>Largest request body in bytes (<c>--max-body-bytes</c>, 1 MiB); past it a request is answered 413.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Most responses scored in one request (<c>--max-responses</c>, 256).</summary>
    public int MaxResponses { get; init; } = 256;

    /// <summary>Longest prompt or response in characters (<c>--max-text-length</c>, 32,768).</summary>
    public int MaxTextLength { get; init; } = 32_768;

    /// <summary>The usage line printed on wrong arguments.</summary>
    public const string Usage =
        "usage: RewardScoringService --model <reward.zip> [--port 5080] [--score-column Score] [--max-concurrent-requests N] " +
        "[--max-queued-requests N] [--max-body-bytes N] [--max-responses N] [--max-text-length N]";

    /// <summary>Parses the arguments; null when they are wrong (an unknown option, a missing value, a number out of range).</summary>
    public static ServiceSettings? Parse(string[] args)
    {
        if (args.Length % 2 != 0)
        {
            return null;
        }

        string? model = null;
        string column = "Score";
        int port = 5080;
        var defaults = new ServiceSettings(string.Empty, port, column);
        int concurrent = defaults.MaxConcurrentRequests, queued = defaults.MaxQueuedRequests, responses = defaults.MaxResponses, text = defaults.MaxTextLength;
        long body = defaults.MaxBodyBytes;
        for (int i = 0; i < args.Length; i += 2)
        {
            string value = args[i + 1];
            bool ok = args[i] switch
            {
                "--model" => Take(value, out model),
                "--score-column" => Take(value, out column),
                "--port" => TryInt(value, 1, 65_535, out port),
                "--max-concurrent-requests" => TryInt(value, 1, 10_000, out concurrent),
                "--max-queued-requests" => TryInt(value, 0, 1_000_000, out queued),
                "--max-responses" => TryInt(value, 1, 1_000_000, out responses),
                "--max-text-length" => TryInt(value, 1, int.MaxValue, out text),
                "--max-body-bytes" => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out body) && body > 0,
                _ => false,
            };
            if (!ok)
            {
                return null;
            }
        }

        return model is null ? null : new ServiceSettings(model, port, column)
        {
            MaxConcurrentRequests = concurrent,
            MaxQueuedRequests = queued,
            MaxBodyBytes = body,
            MaxResponses = responses,
            MaxTextLength = text,
        };
    }

    private static bool Take(string text, out string value)
    {
        value = text;
        return true;
    }

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
