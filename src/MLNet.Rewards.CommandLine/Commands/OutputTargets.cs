using System.CommandLine;
using System.CommandLine.Parsing;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// The one check of every path a command writes (model zips, embedding stores, feature files, report folders), run
/// while the command line is parsed, before any work: a file output must not be a directory or an existing device, pipe
/// or socket, a folder output must not be an existing file, and no output may be the same file (links resolved) as
/// any other path on the command line (the data it reads, another output). A failure is a command-line error (exit 2).
/// </summary>
internal static class OutputTargets
{
    /// <summary>Marks <paramref name="option"/> as a path the command writes, and returns it.</summary>
    public static TOption Written<TOption>(TOption option)
        where TOption : Option
    {
        option.Validators.Add(Validate);
        return option;
    }

    /// <summary>
    /// Refuses <paramref name="output"/> when it is one of <paramref name="inputs"/> (paths named outside the command
    /// line, such as the data files a config lists).
    /// </summary>
    public static void RefuseInputs(string option, FileInfo output, IEnumerable<string> inputs)
    {
        foreach (string input in inputs)
        {
            if (FileTarget.SameFile(output.FullName, input))
            {
                throw new UsageException($"{option} {output.FullName} is the same file as the input {input}; it would be replaced (choose another output)");
            }
        }
    }

    private static void Validate(OptionResult result)
    {
        string name = result.Option.Name;
        var own = PathsOf(result).ToList();
        for (int i = 0; i < own.Count; i++)
        {
            if (Problem(own[i]) is { } problem)
            {
                result.AddError($"{name} {own[i].FullName} {problem}");
                return;
            }

            for (int j = 0; j < i; j++)
            {
                if (FileTarget.SameFile(own[i].FullName, own[j].FullName))
                {
                    result.AddError($"{name} names {own[i].FullName} twice");
                    return;
                }
            }
        }

        if (result.Parent is not CommandResult command)
        {
            return;
        }

        foreach (var other in command.Children.OfType<OptionResult>().Where(o => o != result))
        {
            foreach (var path in PathsOf(other))
            {
                if (own.FirstOrDefault(o => FileTarget.SameFile(o.FullName, path.FullName)) is { } clash)
                {
                    result.AddError($"{name} {clash.FullName} is the same file as {other.Option.Name} {path.FullName}; it would be replaced (choose another {name})");
                    return;
                }
            }
        }
    }

    private static string? Problem(FileSystemInfo path) => path switch
    {
        DirectoryInfo folder when FileTarget.KindOf(folder.FullName) is not (FileTargetKind.Missing or FileTargetKind.Directory) => "exists and is not a folder",
        FileInfo file => FileTarget.ProblemWritingAt(file.FullName),
        _ => null,
    };

    /// <summary>The file and folder paths an option was given (none when its value did not parse).</summary>
    private static IEnumerable<FileSystemInfo> PathsOf(OptionResult result)
    {
        if (result.Errors.Any())
        {
            return [];
        }

        try
        {
            Type type = result.Option.ValueType;
            return type == typeof(FileInfo) ? Present(result.GetValueOrDefault<FileInfo?>())
                : type == typeof(DirectoryInfo) ? Present(result.GetValueOrDefault<DirectoryInfo?>())
                : type == typeof(FileInfo[]) ? result.GetValueOrDefault<FileInfo[]?>() ?? []
                : type == typeof(DirectoryInfo[]) ? result.GetValueOrDefault<DirectoryInfo[]?>() ?? []
                : [];
        }
        catch (InvalidOperationException)
        {
            return [];
        }
    }

    private static FileSystemInfo[] Present(FileSystemInfo? path) => path is null ? [] : [path];
}
