using System.CommandLine;
using OrleansPigmm.Client.Cluster;
using OrleansPigmm.Grains.Abstractions;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm status</c> and <c>pigmm cancel</c>: one experiment of a running cluster,
/// through a silo's gateway, shown as one line.</summary>
internal static class ClusterStatusCommands
{
    /// <summary><c>pigmm status --gateway HOST:PORT EXPERIMENT</c>.</summary>
    public static Command Status(TextWriter output, TextWriter error) =>
        Create("status", "Show the progress of an experiment of a running cluster as one line.", output, error,
            experiment => experiment.GetStatusAsync());

    /// <summary><c>pigmm cancel --gateway HOST:PORT EXPERIMENT</c>.</summary>
    public static Command Cancel(TextWriter output, TextWriter error) =>
        Create("cancel", "Stop an experiment of a running cluster (committed epochs stay; submitting it again resumes it) and show its final status.", output, error,
            experiment => experiment.CancelAsync());

    private static Command Create(string name, string description, TextWriter output, TextWriter error, Func<IExperimentGrain, Task<ExperimentStatus>> call)
    {
        var gateway = GatewayCommand.GatewayOption();
        var experimentArgument = new Argument<string>("experiment") { Description = "Experiment id (as pigmm submit printed it)." };
        var command = new Command(name, description) { gateway, experimentArgument };
        command.SetAction((parsed, cancellationToken) =>
        {
            string id = parsed.GetValue(experimentArgument)!;
            return Task.FromResult(GatewayCommand.Run(name, error, parsed.GetValue(gateway)!, id, async (connection, _) =>
            {
                output.WriteLine(GatewayCommand.StatusLine(await call(connection.Grains.GetGrain<IExperimentGrain>(id))));
                return 0;
            }, cancellationToken));
        });
        return command;
    }
}
