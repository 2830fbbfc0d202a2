using System.Diagnostics;

namespace MLNet.Rewards.Cli.Tests;

/// <summary>Runs the built mlnet-rewards tool as a child process, as a user or script would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlnet-rewards.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mlnet-rewards {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the command line in-process (<see cref="InProcess"/>): for tests about usage and exit codes without stdin.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunInProcess(params string[] args) => InProcess.Run(CliCommands.Create, args);

    public static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"mlnet-rewards-cli-{Guid.NewGuid():N}{extension}");
}
