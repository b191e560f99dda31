using System.CommandLine;
using OrleansPigmm.Client.Display;
using Spectre.Console;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm watch</c>: the live view of an experiment from its store, while it trains or after.</summary>
internal static class WatchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("watch", "Show an experiment's progress and latest fits from its store, refreshed as they change, until it is complete (Ctrl+C to leave earlier).");
        StoredExperiment.Attach(command, "watch", error, (parsed, store, experiment, cancellationToken) =>
            ExperimentMonitor.RunAsync(store, experiment.Id, ConsoleFor(output), stopWhen: null, cancellationToken));
        return command;
    }

    /// <summary>A Spectre console on <paramref name="output"/>: live (ANSI, interactive) only on a terminal.</summary>
    public static IAnsiConsole ConsoleFor(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }
}
