using System.CommandLine;
using OrleansPigmm.Client.Cluster;
using OrleansPigmm.Client.Display;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm watch</c>: the live view of an experiment from its store, while it trains or
/// after. With <c>--cluster</c> the view is woken by the events the cluster pushes; on a store
/// alone, by the store's own change notifications.</summary>
internal static class WatchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("watch", "Show an experiment's progress and latest fits, refreshed as they change, until it is complete (Ctrl+C to leave earlier); with --cluster, live from the cluster's pushed events.");
        ClusterTarget? cluster = null;
        cluster = StoredExperiment.Attach(command, "watch", error, async (parsed, store, experiment, cancellationToken) =>
        {
            // Ctrl+C ends the view through its token, so that the live region restores the cursor.
            using var interruption = new Interruption(cancellationToken);
            var console = ExperimentMonitor.ConsoleFor(output);
            if (!cluster!.NamesDatabase(parsed))
            {
                return await ExperimentMonitor.RunAsync(store, experiment.Id, console, cancellationToken: interruption.Token).ConfigureAwait(false);
            }
            await using var connection = await cluster.ConnectAsync(parsed, interruption.Token).ConfigureAwait(false);
            await using var subscription = await ExperimentSubscription.StartAsync(connection.Grains, experiment.Id).ConfigureAwait(false);
            try
            {
                return await ExperimentMonitor.RunAsync(store, experiment.Id, console, subscription.Ended, subscription.WaitForChangeAsync, interruption.Token).ConfigureAwait(false);
            }
            catch (TimeoutException lost)
            {
                error.WriteLine($"pigmm watch: stopped watching experiment {experiment.Id}: {lost.Message}.");
                return 1;
            }
        });
        return command;
    }
}
