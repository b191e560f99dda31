using Microsoft.Extensions.Time.Testing;

namespace OrleansPigmm.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IPigmmStore"/> backend must show. A backend's test class
/// derives from this one and says how to open a store on a fresh database and how to take that
/// database away and bring it back; the tests themselves are the same for every backend. Each test
/// gets its own database and a clock it moves by hand.
/// </summary>
public abstract partial class StoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(1);

    private readonly List<IPigmmStore> stores = [];

    /// <summary>The clock of every store the test opens; it moves only when the test says so.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The store the test works with, opened before the test on an empty database.</summary>
    protected IPigmmStore Store => stores[0];

    /// <summary>Opens a store with the clock <paramref name="time"/> on this test's database, which
    /// the first call creates empty; later calls open further instances on the same database, as
    /// other processes would.</summary>
    protected abstract Task<IPigmmStore> OpenStoreAsync(TimeProvider time);

    /// <summary>Makes the database unreachable to every open store (as if its file or server were gone).</summary>
    protected abstract Task TakeDatabaseAwayAsync();

    /// <summary>Restores the database as it was when it was taken away.</summary>
    protected abstract Task BringDatabaseBackAsync();

    public async Task InitializeAsync() => await OpenAnotherStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>Another store instance on the same database, disposed with the test.</summary>
    protected async Task<IPigmmStore> OpenAnotherStoreAsync()
    {
        var store = await OpenStoreAsync(Time);
        stores.Add(store);
        return store;
    }

    protected async Task<ExperimentRecord> CreateExperimentAsync(string id = "experiment-a", int replicas = 6, int perBatch = 2, int epochs = 3, int layers = 2, int matrixSize = 3)
    {
        var experiment = TestData.Experiment(id, Time.GetUtcNow(), replicas, epochs, layers, matrixSize);
        Assert.True(await Store.CreateExperimentAsync(experiment, TestData.Batches(replicas, perBatch)));
        return experiment;
    }

    protected async Task<WorkLease> ClaimAsync(string owner = "silo-1", string? experimentId = null, IPigmmStore? store = null)
    {
        var lease = await (store ?? Store).TryClaimAsync(owner, LeaseTime, experimentId);
        Assert.NotNull(lease);
        return lease;
    }

    /// <summary>Commits epochs from the lease's next one up to <paramref name="lastEpoch"/>.</summary>
    protected async Task CommitThroughAsync(ExperimentRecord experiment, WorkLease lease, int lastEpoch, IPigmmStore? store = null)
    {
        for (int epoch = lease.CompletedEpochs + 1; epoch <= lastEpoch; epoch++)
        {
            Assert.True(await (store ?? Store).CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, epoch)));
        }
    }

    protected async Task<List<SnapshotRecord>> ReadEnsembleAsync(EnsembleKey ensemble, bool includeWeights = true, int firstReplica = 0, int replicaCount = int.MaxValue) =>
        await Store.ReadSnapshotsAsync(ensemble, firstReplica, replicaCount, includeWeights).ToListAsync();

    protected async Task<BatchStatus> BatchAsync(string experimentId, int batch) =>
        (await Store.ListBatchesAsync(experimentId)).Single(b => b.Batch.Batch == batch);
}
