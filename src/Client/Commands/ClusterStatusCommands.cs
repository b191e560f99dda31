using System.CommandLine;
using OrleansPigmm.Client.Cluster;
using OrleansPigmm.Grains.Abstractions;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm status</c> and <c>pigmm cancel</c>: one experiment of a running cluster,
/// shown as one line.</summary>
internal static class ClusterStatusCommands
{
    /// <summary><c>pigmm status --cluster URL EXPERIMENT</c>.</summary>
    public static Command Status(TextWriter output, TextWriter error) =>
        Create("status", "Show the progress of an experiment of a running cluster as one line.", output, error,
            experiment => experiment.GetStatusAsync());

    /// <summary><c>pigmm cancel --cluster URL EXPERIMENT</c>.</summary>
    public static Command Cancel(TextWriter output, TextWriter error) =>
        Create("cancel", "Stop an experiment of a running cluster (committed epochs stay; submitting it again resumes it) and show its final status.", output, error,
            experiment => experiment.CancelAsync());

    private static Command Create(string name, string description, TextWriter output, TextWriter error, Func<IExperimentGrain, Task<ExperimentStatus>> call)
    {
        var experimentArgument = new Argument<string>("experiment") { Description = "Experiment id (as pigmm submit printed it)." };
        var command = new Command(name, description) { experimentArgument };
        var target = new ClusterTarget().AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            string id = parsed.GetValue(experimentArgument)!;
            return Task.FromResult(target.Run(name, error, parsed, id, async (connection, _) =>
            {
                output.WriteLine(ClusterTarget.StatusLine(await call(connection.Grains.GetGrain<IExperimentGrain>(id))));
                return 0;
            }, cancellationToken));
        });
        return command;
    }
}
