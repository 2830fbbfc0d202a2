using System.Globalization;

namespace RewardScoringService;

/// <summary>Command-line settings of the service.</summary>
public sealed record ServiceSettings(string ModelPath, int Port, string ScoreColumn)
{
    /// <summary>Parses <c>--model PATH [--port N] [--score-column NAME]</c>; null when the arguments are wrong.</summary>
    public static ServiceSettings? Parse(string[] args)
    {
        string? model = null, column = "Score";
        int port = 5080;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--model":
                    model = args[i + 1];
                    break;
                case "--port" when int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is > 0 and < 65536:
                    port = p;
                    break;
                case "--score-column":
                    column = args[i + 1];
                    break;
                default:
                    return null;
            }
        }

        return args.Length % 2 == 0 && model is not null && File.Exists(model) ? new ServiceSettings(model, port, column) : null;
    }
}
