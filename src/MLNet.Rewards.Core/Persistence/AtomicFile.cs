using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// Writes a file whole or not at all: the bytes go to a temporary file in the target's folder, which is flushed and
/// renamed over the target. Temporary files are named <c>.NAME.HOST.PID.GUID.mlnet-rewards-tmp</c>, so that those left by
/// a save that was killed can be told apart and removed: a save first removes, in its folder, the temporary files of
/// this machine whose process is gone (or is a newer process that reuses the id).
/// </summary>
internal static class AtomicFile
{
    /// <summary>How every temporary file of a save ends.</summary>
    public const string TemporarySuffix = ".mlnet-rewards-tmp";

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> atomically. Refuses (with <see cref="IOException"/>) a
    /// target that is a directory or an existing device, pipe or socket, which a rename would replace.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string fullPath = Path.GetFullPath(path);
        if (FileTarget.ProblemWritingAt(fullPath) is { } problem)
        {
            throw new IOException($"{fullPath} {problem}");
        }

        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        RemoveStaleTemporaryFiles(directory);
        string temp = Path.Combine(directory, TemporaryName(Path.GetFileName(fullPath)));
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Removes, in <paramref name="directory"/>, the temporary files of saves on this machine whose process no longer
    /// runs (or runs under a reused id: it started after the file was last written). Files of other machines (a shared
    /// folder) and of running saves are kept. Returns the paths removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaryFiles(string directory)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory))
        {
            return removed;
        }

        foreach (string file in Directory.EnumerateFiles(directory, "." + "*" + TemporarySuffix))
        {
            if (ParseOwner(Path.GetFileName(file)) is not { } owner || owner.Host != HostTag || IsRunningWriter(owner.ProcessId, file))
            {
                continue;
            }

            try
            {
                File.Delete(file);
                removed.Add(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another cleaner got there first, or the folder is read-only for us: the file stays, harmlessly.
            }
        }

        return removed;
    }

    /// <summary>The temporary name for a save of <paramref name="fileName"/> by this process.</summary>
    internal static string TemporaryName(string fileName) =>
        string.Create(CultureInfo.InvariantCulture, $".{fileName}.{HostTag}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");

    /// <summary>This machine's name as it appears in temporary names (no dots, which separate the name's parts).</summary>
    private static string HostTag { get; } = Environment.MachineName.Replace('.', '-');

    /// <summary>The host and process id in a temporary file's name, or null when the name is not one of ours.</summary>
    private static (string Host, int ProcessId)? ParseOwner(string name)
    {
        // .NAME.HOST.PID.GUID.mlnet-rewards-tmp, read from the right since NAME may hold dots.
        if (!name.StartsWith('.') || !name.EndsWith(TemporarySuffix, StringComparison.Ordinal))
        {
            return null;
        }

        string[] parts = name[..^TemporarySuffix.Length].Split('.');
        if (parts.Length < 5 || parts[^1].Length != 32 || !parts[^1].All(char.IsAsciiHexDigit)
            || !int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int processId))
        {
            return null;
        }

        return (parts[^3], processId);
    }

    private static bool IsRunningWriter(int processId, string file)
    {
        if (processId == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return process.StartTime.ToUniversalTime() <= File.GetLastWriteTimeUtc(file);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // The process exists but cannot be inspected: keep its file.
            return true;
        }
    }
}
