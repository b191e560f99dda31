using System.CommandLine;
using OrleansPigmm.Client.Commands;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Client.Cluster;

/// <summary>
/// How a console names the cluster it talks to, and what the commands that talk to one share:
/// <c>--cluster postgres://USER@HOST:PORT/DB</c> (the gateways are found in the membership table
/// of that database, which is also the cluster's store) or <c>--gateway HOST:PORT</c> (one silo's
/// gateway), with <c>--cluster-id</c>, <c>--password-file</c> and <c>--schema</c>; the connection; the bad-input
/// policy (an unknown experiment is one line, exit 2) and the one line that shows a status.
/// </summary>
internal sealed class ClusterTarget
{
    private readonly Option<string?> cluster = new("--cluster")
    {
        Description = "The cluster's database, postgres://USER@HOST:PORT/DB (password from PGPASSWORD or --password-file): its silos are found in the membership table there.",
    };

    private readonly Option<string?> gateway = new("--gateway")
    {
        Description = $"Instead of --cluster: the gateway of one silo, HOST:PORT (pigmm silo listens on port {PigmmCluster.DefaultGatewayPort} by default).",
    };

    private readonly Option<string> clusterId = new("--cluster-id")
    {
        Description = $"The cluster's id (as its silos were given it); default {PigmmCluster.ClusterId}.",
        DefaultValueFactory = _ => PigmmCluster.ClusterId,
    };

    private readonly StoreOptions storeOptions = new();

    /// <summary>Adds the options to <paramref name="command"/>; <paramref name="gatewayAllowed"/>
    /// false leaves out <c>--gateway</c>, for commands that read the cluster's store.</summary>
    public ClusterTarget AddTo(Command command, bool gatewayAllowed = true)
    {
        command.Options.Add(cluster);
        if (gatewayAllowed)
        {
            command.Options.Add(gateway);
        }
        command.Options.Add(clusterId);
        storeOptions.AddTo(command);
        return this;
    }

    /// <summary>The PostgreSQL settings the command line asks for.</summary>
    public PostgresStoreOptions Postgres(ParseResult parsed) => storeOptions.Postgres(parsed);

    /// <summary>Whether the command line names the cluster by its database (--cluster).</summary>
    public bool NamesDatabase(ParseResult parsed) => parsed.GetValue(cluster) is not null;

    /// <summary>The cluster's database URL, or null when the command line names a gateway instead.</summary>
    /// <exception cref="InputException">Neither or both of --cluster and --gateway are given.</exception>
    public string? DatabaseUrl(ParseResult parsed)
    {
        var (url, endpoint) = (parsed.GetValue(cluster), parsed.GetResult(gateway) is null ? null : parsed.GetValue(gateway));
        return (url, endpoint) switch
        {
            (not null, not null) => throw new InputException("give either --cluster or --gateway, not both."),
            (null, null) => throw new InputException("give --cluster postgres://USER@HOST:PORT/DB (the cluster's database) or --gateway HOST:PORT (a silo's gateway)."),
            _ => url,
        };
    }

    /// <summary>Opens the cluster's store (named by --cluster), for the commands that read it.</summary>
    /// <exception cref="InputException">No --cluster is given, or the store cannot be opened.</exception>
    public IPigmmStore OpenStore(ParseResult parsed) =>
        StoreOptions.Open(DatabaseUrl(parsed) ?? throw new InputException("this command reads the cluster's store: give --cluster postgres://USER@HOST:PORT/DB."),
            Postgres(parsed));

    /// <summary>Connects to the cluster the command line names.</summary>
    /// <exception cref="InputException">The options are malformed, or the cluster cannot be reached.</exception>
    public Task<ClusterConnection> ConnectAsync(ParseResult parsed, CancellationToken cancellationToken)
    {
        string id = OptionValues.ClusterId(parsed.GetValue(clusterId)!);
        if (DatabaseUrl(parsed) is { } url)
        {
            string connectionString;
            try
            {
                connectionString = PostgresMembership.ConnectionString(url, Postgres(parsed));
            }
            catch (Exception invalid) when (invalid is ArgumentException or StoreUnavailableException)
            {
                throw new InputException(invalid.Message);
            }
            return ClusterConnection.ConnectThroughMembershipAsync(url, connectionString, id, cancellationToken);
        }
        return ClusterConnection.ConnectThroughGatewayAsync(parsed.GetValue(gateway)!, id, cancellationToken);
    }

    /// <summary>Connects to the cluster and runs <paramref name="body"/> under
    /// <see cref="CommandFailure.Guard"/>; a grain that knows no such experiment is bad input.</summary>
    public int Run(string command, TextWriter error, ParseResult parsed, string? experimentId,
        Func<ClusterConnection, CancellationToken, Task<int>> body, CancellationToken cancellationToken) =>
        CommandFailure.Guard(command, error, () => RunAsync(parsed, experimentId, body, cancellationToken).GetAwaiter().GetResult());

    /// <summary>One line: id, phase, replica-epochs committed of the total, replicas finished.</summary>
    public static string StatusLine(ExperimentStatus status) =>
        $"Experiment {status.ExperimentId}: {status.Phase.ToString().ToLowerInvariant()}, {status.ReplicaEpochsCommitted} of {status.ReplicaEpochsTotal} replica-epochs committed, {status.ReplicasFinished} of {status.Replicas} replicas finished.";

    private async Task<int> RunAsync(ParseResult parsed, string? experimentId, Func<ClusterConnection, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(parsed, cancellationToken);
        try
        {
            return await body(connection, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            throw new InputException($"the cluster at {connection.Description} has no experiment '{experimentId}'.");
        }
    }
}
