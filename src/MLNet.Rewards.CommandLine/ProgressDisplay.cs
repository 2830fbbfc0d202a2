using System.Diagnostics;
using Spectre.Console;

namespace MLNet.Rewards.Cli;

/// <summary>
/// Shows progress of long work: a live Spectre.Console progress bar on a terminal, or a plain line every few seconds
/// when output goes to a file or CI log (where redrawn bars would be noise). Progress goes to stderr so stdout stays data.
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/>, giving it a sink for (done, total) updates of a task named <paramref name="title"/>.</summary>
    public static T Run<T>(string title, Func<IProgress<(int Done, int Total)>, T> work)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsErrorRedirected)
        {
            T result = default!;
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(title, maxValue: 1);
                    result = work(new Progress(update =>
                    {
                        task.MaxValue = Math.Max(1, update.Total);
                        task.Value = update.Done;
                    }));
                    task.Value = task.MaxValue;
                });
            return result;
        }

        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var value = work(new Progress(update =>
        {
            if (clock.Elapsed - last >= PlainInterval || update.Done == update.Total)
            {
                last = clock.Elapsed;
                Console.Error.WriteLine($"{title}: {update.Done:N0}/{update.Total:N0} ({100.0 * update.Done / Math.Max(1, update.Total):F0}%, {clock.Elapsed.TotalSeconds:F0} s)");
            }
        }));
        return value;
    }

    /// <summary>A synchronous <see cref="IProgress{T}"/>: updates arrive on the reporting thread, serialised by a lock.</summary>
    private sealed class Progress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        private readonly Lock _gate = new();

        public void Report((int Done, int Total) value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}

/// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (Progress&lt;T&gt; posts to the thread pool, which reorders lines).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
