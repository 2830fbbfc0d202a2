using MLNet.Rewards.Cli;

return CommandRunner.Run(CliCommands.Create(), args);
