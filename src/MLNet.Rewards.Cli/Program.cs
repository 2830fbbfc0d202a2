using System.CommandLine;
using MLNet.Rewards.Cli;
using MLNet.Rewards.Cli.Commands;

var root = new RootCommand(
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
    MultiObjectiveBenchmarkCommand.Create(),
    DemoCommand.Create(),
    EmbedCommand.Create(),
    BenchEmbedCommand.Create(),
    GenerateCommand.Create(),
    GenArmTrainCommand.Create(),
    GenerationBenchCommand.Create(),
    GenerationSpeedCommand.Create(),
    TrainEnsembleCommand.Create(),
    PrototypeCurveCommand.Create(),
    EnsembleBenchCommand.Create(),
    ActiveSimulationCommand.Create(),
};

return CommandRunner.Run(root, args);
