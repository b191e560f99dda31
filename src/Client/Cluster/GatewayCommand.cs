using System.CommandLine;
using OrleansPigmm.Grains.Abstractions;

namespace OrleansPigmm.Client.Cluster;

/// <summary>What the commands that talk to a running cluster share: the <c>--gateway HOST:PORT</c>
/// option, the connection, the bad-input policy (an unknown experiment is one line, exit 2) and
/// the one line that shows an experiment's status.</summary>
internal static class GatewayCommand
{
    /// <summary>The required <c>--gateway</c> option.</summary>
    public static Option<string> GatewayOption() => new("--gateway")
    {
        Description = "The gateway of a silo of the cluster, HOST:PORT (pigmm silo listens on 127.0.0.1:30000 by default).",
        Required = true,
    };

    /// <summary>Connects through the gateway and runs <paramref name="body"/> under
    /// <see cref="CommandFailure.Guard"/>; a grain that knows no such experiment is bad input.</summary>
    public static int Run(string command, TextWriter error, string gateway, string? experimentId,
        Func<ClusterConnection, CancellationToken, Task<int>> body, CancellationToken cancellationToken) =>
        CommandFailure.Guard(command, error, () => RunAsync(gateway, experimentId, body, cancellationToken).GetAwaiter().GetResult());

    /// <summary>One line: id, phase, replica-epochs committed of the total, replicas finished.</summary>
    public static string StatusLine(ExperimentStatus status) =>
        $"Experiment {status.ExperimentId}: {status.Phase.ToString().ToLowerInvariant()}, {status.ReplicaEpochsCommitted} of {status.ReplicaEpochsTotal} replica-epochs committed, {status.ReplicasFinished} of {status.Replicas} replicas finished.";

    private static async Task<int> RunAsync(string gateway, string? experimentId, Func<ClusterConnection, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        await using var connection = await ClusterConnection.ConnectAsync(gateway, cancellationToken);
        try
        {
            return await body(connection, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            throw new InputException($"the cluster at {gateway} has no experiment '{experimentId}'.");
        }
    }
}
