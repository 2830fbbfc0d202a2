using System.CommandLine;

namespace MLNet.Rewards.Cli.Tests;

/// <summary>
/// Runs a command line in-process, through the same parser and <see cref="CommandRunner"/> as the executable, and captures
/// what it writes: for tests about usage and exit codes, without starting a process. The console is process-wide, so the
/// assemblies using this run their tests one at a time (no Parallelize attribute).
/// </summary>
internal static class InProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(Func<RootCommand> commands, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = CommandRunner.Run(commands(), args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
