using System.CommandLine;
using MLNet.Rewards.Cli.Commands;

namespace MLNet.Rewards.Cli;

/// <summary>The commands of <c>mlnet-rewards</c> (the experiments are in <c>mlnet-rewards-experiments</c>).</summary>
internal static class CliCommands
{
    public static RootCommand Create() => new(
        """
        mlnet-rewards: train, evaluate and use reward models for LLM alignment.
        A reward model scores how good a response is for a prompt; it is trained from preference pairs
        (a prompt, a chosen response, a rejected response) in JSONL or JSONL.gz files.

        Exit codes: 0 success, 1 unexpected failure or diverged training, 2 bad command line, 3 bad input file, 130 interrupted.
        """)
    {
        TrainCommand.Create(),
        TrainGeneralistCommand.Create(),
        EvaluateCommand.Create(),
        ScoreCommand.Create(),
        TrainMultiObjectiveCommand.Create(),
        DemoCommand.Create(),
        EmbedCommand.Create(),
        GenerateCommand.Create(),
        GenArmTrainCommand.Create(),
        TrainEnsembleCommand.Create(),
        LikelihoodModelCommand.Create(),
    };
}
