namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_change_version_grows_with_every_kind_of_write()
    {
        var versions = new List<long> { await Store.GetChangeVersionAsync() };
        async Task Then(Func<Task> write)
        {
            await write();
            versions.Add(await Store.GetChangeVersionAsync());
        }
        var experiment = TestData.Experiment("experiment-a", Time.GetUtcNow(), replicas: 2);
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        WorkLease lease = null!;

        await Then(() => Store.CreateExperimentAsync(experiment, TestData.Batches(2, 2)));
        await Then(async () => lease = await ClaimAsync());
        await Then(() => Store.RenewAsync(lease, LeaseTime));
        await Then(() => Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 0)));
        await Then(() => Store.ReleaseAsync(lease));
        await Then(() => Store.SaveAggregateAsync(ensemble, new byte[] { 1 }, 0, null));
        await Then(() => Store.SaveAggregateAsync(ensemble, new byte[] { 2 }, 1, new FitRecord(ensemble, 2, 0, "{}")));

        Assert.Equal(versions.Order().Distinct(), versions);
    }

    [Fact]
    public async Task A_second_store_instance_sees_every_write_and_the_change_version()
    {
        var other = await OpenAnotherStoreAsync();
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync(store: other);
        await CommitThroughAsync(experiment, lease, 0, other);
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        await other.SaveAggregateAsync(ensemble, new byte[] { 7 }, 0, new FitRecord(ensemble, 2, 0, "{}"));

        Assert.Equal(await other.GetChangeVersionAsync(), await Store.GetChangeVersionAsync());
        Assert.Equal(0, (await BatchAsync(experiment.Id, 0)).CompletedEpochs);
        Assert.Equal(2, (await ReadEnsembleAsync(ensemble)).Count);
        Assert.Equal(1, (await Store.GetAggregateAsync(ensemble))!.Version);
        Assert.Single(await Store.ListFitsAsync(experiment.Id));
    }

    /// <summary>A store that announces changes must wake the wait without a poll, so it gets one
    /// too long to matter; others must be woken by polling.</summary>
    private TimeSpan PollIntervalFor(IPigmmStore store) => store is IStoreChangeNotifications ? TimeSpan.FromHours(1) : TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task The_change_wait_returns_when_the_same_store_writes()
    {
        long known = await Store.GetChangeVersionAsync();
        var wait = Store.WaitForChangeAsync(known, PollIntervalFor(Store));
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);

        await CreateExperimentAsync();

        Assert.Equal(await Store.GetChangeVersionAsync(), await wait.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task The_change_wait_returns_when_another_store_instance_writes()
    {
        var other = await OpenAnotherStoreAsync();
        long known = await Store.GetChangeVersionAsync();
        var wait = Store.WaitForChangeAsync(known, TimeSpan.FromMilliseconds(20));

        await other.CreateExperimentAsync(TestData.Experiment("elsewhere", Time.GetUtcNow()), TestData.Batches(6, 3));

        Assert.True(await wait.WaitAsync(TestTimeout) > known);
    }

    [Fact]
    public async Task The_change_wait_returns_at_once_when_the_version_already_differs()
    {
        await CreateExperimentAsync();

        Assert.Equal(await Store.GetChangeVersionAsync(), await Store.WaitForChangeAsync(-1, TimeSpan.FromHours(1)).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task The_change_wait_ends_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var wait = Store.WaitForChangeAsync(await Store.GetChangeVersionAsync(), TimeSpan.FromHours(1), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task A_call_cancelled_before_it_starts_writes_nothing()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        long version = await Store.GetChangeVersionAsync();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 0), cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.CreateExperimentAsync(TestData.Experiment("other", Time.GetUtcNow()), TestData.Batches(6, 6), cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ReadSnapshotsAsync(new EnsembleKey(experiment.Id, 1, 0), 0, 2, true, cancel.Token).ToListAsync().AsTask());

        Assert.Equal(version, await Store.GetChangeVersionAsync());
        Assert.Single(await Store.ListExperimentsAsync());
    }

    [Fact]
    public async Task Progress_counts_committed_replica_epochs_and_finished_batches()
    {
        var experiment = await CreateExperimentAsync(replicas: 5, perBatch: 2, epochs: 3);
        var first = await ClaimAsync();
        var second = await ClaimAsync();
        await CommitThroughAsync(experiment, first, 3);
        await CommitThroughAsync(experiment, second, 1);

        var progress = await Store.GetProgressAsync(experiment.Id);

        Assert.Equal(new ExperimentProgress(2 * 4 + 2 * 2, 5 * 4, 1, 3), progress);
        Assert.Equal(0.6, progress.Fraction, 12);
        Assert.False(progress.IsComplete);
    }

    [Fact]
    public async Task A_database_that_goes_away_fails_calls_clearly_and_keeps_what_was_committed()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        await CommitThroughAsync(experiment, lease, 0);
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        var committed = await ReadEnsembleAsync(ensemble);

        await TakeDatabaseAwayAsync();
        var failures = new[]
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 1))),
            await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.ListBatchesAsync(experiment.Id)),
        };
        await BringDatabaseBackAsync();

        Assert.All(failures, failure =>
        {
            Assert.Equal(Store.Description, failure.Store);
            Assert.Contains(Store.Description, failure.Message);
            Assert.DoesNotContain('\n', failure.Message);
        });
        Assert.Equal(0, (await BatchAsync(experiment.Id, 0)).CompletedEpochs);
        foreach (var (want, got) in committed.Zip(await ReadEnsembleAsync(ensemble)))
        {
            TestData.AssertSame(want, got);
        }
        Assert.True(await Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 1)));
    }
}
