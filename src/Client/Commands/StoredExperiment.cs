using System.CommandLine;
using OrleansPigmm.Storage;
using OrleansPigmm.Client.Cluster;

namespace OrleansPigmm.Client.Commands;

/// <summary>The store options and <c>[EXPERIMENT]</c> argument of the commands that read an
/// existing store, and how they are resolved: <c>--store PATH</c> (a SQLite file, or a PostgreSQL
/// URL) or <c>--cluster URL</c> (a cluster's database, whose cluster the command may also talk to).
/// Bad input becomes <see cref="InputException"/>.</summary>
internal sealed class StoredExperiment
{
    private readonly Option<string> storeOption = new("--store")
    {
        Description = $"The experiment store to read: a SQLite file (default {StoreLocation.Default} in the current directory) or postgres://USER@HOST:PORT/DB.",
        DefaultValueFactory = _ => StoreLocation.Default,
    };

    private readonly Argument<string?> experimentArgument = new("experiment")
    {
        Description = "Experiment id; may be left out when the store holds exactly one experiment.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly ClusterTarget cluster = new();

    /// <summary>Opens the store named by the command line; a file must already exist (reading never creates one).</summary>
    private IPigmmStore Open(ParseResult parsed)
    {
        bool storeGiven = parsed.GetResult(storeOption) is { Implicit: false };
        if (cluster.NamesDatabase(parsed))
        {
            return storeGiven ? throw new InputException("give either --store or --cluster, not both.") : cluster.OpenStore(parsed);
        }
        string path = parsed.GetValue(storeOption)!;
        if (!PigmmStores.IsPostgres(path) && !File.Exists(path))
        {
            throw new InputException($"there is no store at '{path}' (give the file that 'pigmm run' wrote with --store PATH, or a cluster with --cluster URL).");
        }
        return StoreOptions.Open(path, cluster.Postgres(parsed));
    }

    /// <summary>The experiment named by the command line, or the store's only experiment when none is named.</summary>
    private async Task<ExperimentRecord> ResolveAsync(IPigmmStore store, ParseResult parsed, CancellationToken cancellationToken)
    {
        string? id = parsed.GetValue(experimentArgument);
        if (id is not null)
        {
            return await store.GetExperimentAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new InputException($"there is no experiment '{id}' in {store.Description}; it holds {await ListAsync(store, cancellationToken).ConfigureAwait(false)}.");
        }
        var experiments = await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false);
        return experiments.Count switch
        {
            1 => experiments[0],
            0 => throw new InputException($"{store.Description} holds no experiment yet."),
            _ => throw new InputException($"{store.Description} holds {experiments.Count} experiments ({string.Join(", ", experiments.Select(e => e.Id))}); name one."),
        };
    }

    private static async Task<string> ListAsync(IPigmmStore store, CancellationToken cancellationToken)
    {
        var experiments = await store.ListExperimentsAsync(cancellationToken).ConfigureAwait(false);
        return experiments.Count == 0 ? "none" : string.Join(", ", experiments.Select(e => e.Id));
    }

    /// <summary>Adds the store options and <c>[EXPERIMENT]</c> to <paramref name="command"/>, and
    /// makes its action run <paramref name="body"/> under <see cref="CommandFailure.Guard"/> with
    /// the store open and the experiment resolved.</summary>
    /// <returns>The cluster the command line may name, for commands that also talk to it.</returns>
    public static ClusterTarget Attach(Command command, string name, TextWriter error, Func<ParseResult, IPigmmStore, ExperimentRecord, CancellationToken, Task<int>> body)
    {
        var stored = new StoredExperiment();
        command.Options.Add(stored.storeOption);
        stored.cluster.AddTo(command, gatewayAllowed: false);
        command.Arguments.Add(stored.experimentArgument);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard(name, error, () =>
        {
            return Run().GetAwaiter().GetResult();

            async Task<int> Run()
            {
                await using var store = stored.Open(parsed);
                var experiment = await stored.ResolveAsync(store, parsed, cancellationToken).ConfigureAwait(false);
                return await body(parsed, store, experiment, cancellationToken).ConfigureAwait(false);
            }
        })));
        return stored.cluster;
    }
}
