using MLNet.Rewards.Cli.Tests;

namespace MLNet.Rewards.Experiments.Tests;

/// <summary>Runs an mlnet-rewards-experiments command line in-process (<see cref="InProcess"/>).</summary>
internal static class ExperimentsRun
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => InProcess.Run(ExperimentCommands.Create, args);

    public static string TempPath(string extension) => Path.Combine(Path.GetTempPath(), $"mlnet-rewards-experiments-{Guid.NewGuid():N}{extension}");
}
