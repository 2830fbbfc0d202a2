namespace MLNet.Rewards.Cli;

/// <summary>Process exit codes that scripts can rely on.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>An unexpected failure (a bug, or the machine ran out of something), or training that diverged (NaN or infinite loss).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown option, missing value, value out of range.</summary>
    public const int Usage = 2;

    /// <summary>An input file (data or model) is missing, malformed or does not fit.</summary>
    public const int BadInput = 3;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
