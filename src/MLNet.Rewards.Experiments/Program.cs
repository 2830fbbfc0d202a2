using MLNet.Rewards.Experiments;

return MLNet.Rewards.Cli.CommandRunner.Run(ExperimentCommands.Create(), args);
