using System.Text;

namespace OrleansPigmm.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IPigmmStore"/> backend must show. A backend's test class
/// derives from this one and says how to open a store on a fresh database and how to take that
/// database away and bring it back; the tests themselves are the same for every backend. Each test
/// gets its own database.
/// </summary>
public abstract partial class StoreContract : IAsyncLifetime
{
    /// <summary>When the tests' experiments are created (a later one a second later).</summary>
    protected static readonly DateTimeOffset CreatedAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IPigmmStore> stores = [];

    /// <summary>The store the test works with, opened before the test on an empty database.</summary>
    protected IPigmmStore Store => stores[0];

    /// <summary>Opens a store on this test's database, which the first call creates empty; later
    /// calls open further instances on the same database, as other processes would.</summary>
    protected abstract Task<IPigmmStore> OpenStoreAsync();

    /// <summary>Makes the database unreachable to every open store (as if its file or server were gone).</summary>
    protected abstract Task TakeDatabaseAwayAsync();

    /// <summary>Restores the database as it was when it was taken away.</summary>
    protected abstract Task BringDatabaseBackAsync();

    public async Task InitializeAsync() => await OpenAnotherStoreAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>Another store instance on the same database, disposed with the test.</summary>
    protected async Task<IPigmmStore> OpenAnotherStoreAsync()
    {
        var store = await OpenStoreAsync();
        stores.Add(store);
        return store;
    }

    protected async Task<ExperimentRecord> CreateExperimentAsync(string id = "experiment-a", int replicas = 4, int epochs = 3, int layers = 2, int matrixSize = 3)
    {
        var experiment = TestData.Experiment(id, CreatedAt, replicas, epochs, layers, matrixSize);
        Assert.True(await Store.CreateExperimentAsync(experiment));
        return experiment;
    }

    /// <summary>Commits <paramref name="commits"/> as one group, every one of which must be written.</summary>
    protected async Task CommitAllAsync(IReadOnlyList<ReplicaEpochCommit> commits, IPigmmStore? store = null) =>
        Assert.All(await (store ?? Store).CommitEpochsAsync(commits), outcome => Assert.Equal(CommitOutcome.Committed, outcome));

    /// <summary>Commits epochs 0..<paramref name="lastEpoch"/> of <paramref name="replicas"/> (every
    /// replica by default), one group per epoch.</summary>
    protected async Task CommitThroughAsync(ExperimentRecord experiment, int lastEpoch, IEnumerable<int>? replicas = null, IPigmmStore? store = null)
    {
        var chosen = (replicas ?? Enumerable.Range(0, experiment.Replicas)).ToList();
        for (int epoch = 0; epoch <= lastEpoch; epoch++)
        {
            await CommitAllAsync(TestData.Group(experiment, epoch, chosen), store);
        }
    }

    protected async Task<List<SnapshotRecord>> ReadEnsembleAsync(EnsembleKey ensemble, bool includeWeights = true, int firstReplica = 0, int replicaCount = int.MaxValue) =>
        await Store.ReadSnapshotsAsync(ensemble, firstReplica, replicaCount, includeWeights).ToListAsync();

    /// <summary>Everything the store holds, every value by its bits, and the change version: equal
    /// text before and after a call proves that the call wrote nothing.</summary>
    protected async Task<string> ContentsAsync()
    {
        var text = new StringBuilder($"version {await Store.GetChangeVersionAsync()}\n");
        foreach (var experiment in await Store.ListExperimentsAsync())
        {
            text.AppendLine(experiment.ToString());
            var completed = await Store.ListCompletedEpochsAsync(experiment.Id);
            text.AppendLine($"completed {string.Join(' ', completed)}");
            for (int replica = 0; replica < experiment.Replicas; replica++)
            {
                if (await Store.GetCheckpointAsync(experiment.Id, replica) is { } checkpoint)
                {
                    text.AppendLine($"checkpoint {checkpoint.Replica} {checkpoint.Epoch} {Convert.ToHexString(checkpoint.State.Span)}");
                }
            }
            for (int epoch = 0; epoch <= experiment.Epochs; epoch++)
            {
                for (int layer = 1; layer <= experiment.Layers; layer++)
                {
                    foreach (var s in await ReadEnsembleAsync(new EnsembleKey(experiment.Id, layer, epoch)))
                    {
                        text.AppendLine($"snapshot {s.Replica} {s.Layer} {s.Epoch} {s.Diverged} {Hex(TestData.Bits(s.Weights))} {Hex(TestData.Bits(s.Invariants))}");
                    }
                }
            }
            foreach (var m in await Store.ReadMetricsAsync(experiment.Id))
            {
                text.AppendLine($"metrics {m.Replica} {m.Epoch} {BitConverter.DoubleToInt64Bits(m.TrainLoss):X} {(m.TestAccuracy is { } a ? BitConverter.DoubleToInt64Bits(a).ToString("X") : "-")} {m.Diverged}");
            }
            foreach (var fit in await Store.ListFitsAsync(experiment.Id))
            {
                text.AppendLine(fit.ToString());
            }
        }
        return text.ToString();
    }

    private static string Hex<T>(T[]? values) => values is null ? "null" : string.Join(',', values.Select(v => $"{v:X}"));
}
