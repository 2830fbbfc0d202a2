namespace MLNet.Rewards.Data;

/// <summary>
/// A data file could not be read: the message names the file, the line and what was expected.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for a problem at <paramref name="lineNumber"/> of <paramref name="path"/>.</summary>
    public DataFormatException(string path, long lineNumber, string problem, Exception? inner = null)
        : base(lineNumber > 0 ? $"{path}:{lineNumber}: {problem}" : $"{path}: {problem}", inner)
    {
        Path = path;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file that holds the bad line.</summary>
    public string Path { get; }

    /// <summary>1-based line number of the bad line (0 when the file itself could not be opened).</summary>
    public long LineNumber { get; }

    /// <summary>What was wrong, without the location.</summary>
    public string Problem { get; }
}
