using System.Runtime.InteropServices;

namespace MLNet.Rewards.Persistence;

/// <summary>What is at a path, after following symbolic links.</summary>
internal enum FileTargetKind
{
    /// <summary>Nothing: the path does not exist (or is a dangling link).</summary>
    Missing,

    /// <summary>A regular file.</summary>
    RegularFile,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>Anything else: a device, a named pipe, a socket.</summary>
    Other,
}

/// <summary>
/// Facts about a path that decide whether a file may be written there: what kind of thing it is (the BCL tells files
/// from directories but not a regular file from a device or a pipe, so Linux asks statx; elsewhere devices are told by
/// their attributes where the platform sets them) and the path with every symbolic link resolved.
/// </summary>
internal static partial class FileTarget
{
    private const int MaxLinkDepth = 40;

    /// <summary>What is at <paramref name="path"/>, following symbolic links.</summary>
    public static FileTargetKind KindOf(string path)
    {
        if (Directory.Exists(path))
        {
            return FileTargetKind.Directory;
        }

        if (!File.Exists(path))
        {
            return FileTargetKind.Missing;
        }

        int? mode = UnixFileType(path);
        if (mode is { } type)
        {
            return type == 0x8000 ? FileTargetKind.RegularFile : FileTargetKind.Other;
        }

        return File.GetAttributes(path).HasFlag(FileAttributes.Device) ? FileTargetKind.Other : FileTargetKind.RegularFile;
    }

    /// <summary>
    /// Why a whole file cannot be written at <paramref name="path"/> by rename (it is a directory, or an existing device,
    /// pipe or socket that a rename would replace), or null when it can.
    /// </summary>
    public static string? ProblemWritingAt(string path) => KindOf(path) switch
    {
        FileTargetKind.Directory => "is a directory (give a file name)",
        FileTargetKind.Other => "exists and is not a regular file (a device, pipe or socket); it is left alone",
        _ => null,
    };

    /// <summary>
    /// The absolute path with every symbolic link resolved, in the folders and the final name (the final name need not
    /// exist): two paths name the same file when their resolved paths are equal.
    /// </summary>
    public static string Resolve(string path) => Resolve(Path.GetFullPath(path), 0);

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> name the same file once links are resolved.</summary>
    public static bool SameFile(string a, string b) =>
        string.Equals(Resolve(a), Resolve(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    private static string Resolve(string fullPath, int depth)
    {
        string root = Path.GetPathRoot(fullPath)!;
        string current = root;
        foreach (string part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar))
        {
            if (part.Length == 0)
            {
                continue;
            }

            current = Path.Combine(current, part);
            if (depth < MaxLinkDepth && new FileInfo(current).LinkTarget is { } target)
            {
                current = Resolve(Path.GetFullPath(target, Path.GetDirectoryName(current) ?? root), depth + 1);
            }
        }

        return current;
    }

    /// <summary>The S_IFMT bits of the file's mode (following links) on Linux; null elsewhere or when the call fails.</summary>
    private static int? UnixFileType(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // statx has one layout on every Linux architecture (stx_mode: 16 bits at offset 28), unlike struct stat.
        const int AtCurrentDirectory = -100;
        const uint StatxType = 0x1;
        const int SIfmt = 0xF000;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            return Statx(AtCurrentDirectory, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) == 0 ? BitConverter.ToUInt16(buffer[28..]) & SIfmt : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);
}
