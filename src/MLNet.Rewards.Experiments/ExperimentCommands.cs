using System.CommandLine;
using MLNet.Rewards.Experiments.Commands;

namespace MLNet.Rewards.Experiments;

/// <summary>The commands of <c>mlnet-rewards-experiments</c>: each produces the evidence behind one page of docs/.</summary>
internal static class ExperimentCommands
{
    public static RootCommand Create() => new(
        """
        mlnet-rewards-experiments: the experiments behind MLNet.Rewards' docs (benchmarks, learning curves, simulations).
        Each command writes its tables and plots to docs/results/<command>/ unless told otherwise; the user tool is mlnet-rewards.

        Exit codes: 0 success, 1 unexpected failure or diverged training, 2 bad command line, 3 bad input file, 130 interrupted.
        """)
    {
        MultiObjectiveBenchmarkCommand.Create(),
        BenchEmbedCommand.Create(),
        GenerationBenchCommand.Create(),
        GenerationSpeedCommand.Create(),
        PrefillSpeedCommand.Create(),
        LikelihoodRewardCommand.Create(),
        PrototypeCurveCommand.Create(),
        EnsembleBenchCommand.Create(),
        ActiveSimulationCommand.Create(),
        RankingHeadCommand.Create(),
    };
}
