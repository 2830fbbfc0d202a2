using System.CommandLine;
using MLNet.Rewards.Data;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Storage;
using MLNet.Rewards.Training;
using Spectre.Console;

namespace MLNet.Rewards.Cli;

/// <summary>Parses, runs, and maps every failure to a clear one-line message and an exit code.</summary>
internal static class CommandRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            Console.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        // Unhooked afterwards: tests run many command lines in one process.
        Console.CancelKeyPress += onCancel;
        try
        {
            return parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancel.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            return Report(e);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Turns an exception into a message on stderr and the matching exit code.</summary>
    public static int Report(Exception e)
    {
        switch (e)
        {
            case DataFormatException or ModelFormatException or DamagedVectorException or FileNotFoundException or DirectoryNotFoundException:
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            case TrainingDivergedException:
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Failure;
            case ArgumentException or UsageException:
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.Usage;
            case OperationCanceledException:
                Console.Error.WriteLine("interrupted");
                return ExitCodes.Cancelled;
            default:
                Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
                if (Environment.GetEnvironmentVariable("MLNET_REWARDS_DEBUG") == "1")
                {
                    AnsiConsole.WriteException(e);
                }
                else
                {
                    Console.Error.WriteLine("(set MLNET_REWARDS_DEBUG=1 for the stack trace)");
                }

                return ExitCodes.Failure;
        }
    }
}

/// <summary>A command-line value that parsed but makes no sense (e.g. options that exclude each other).</summary>
internal sealed class UsageException(string message) : Exception(message);
