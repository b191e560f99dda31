using System.CommandLine;
using OrleansPigmm.Client.Display;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm watch</c>: the live view of an experiment from its store, while it trains or after.</summary>
internal static class WatchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("watch", "Show an experiment's progress and latest fits from its store, refreshed as they change, until it is complete (Ctrl+C to leave earlier).");
        StoredExperiment.Attach(command, "watch", error, async (parsed, store, experiment, cancellationToken) =>
        {
            // Ctrl+C ends the view through its token, so that the live region restores the cursor.
            using var interruption = new Interruption(cancellationToken);
            return await ExperimentMonitor.RunAsync(store, experiment.Id, ExperimentMonitor.ConsoleFor(output), cancellationToken: interruption.Token).ConfigureAwait(false);
        });
        return command;
    }
}
