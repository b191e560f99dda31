namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Proves each kind of write moves the change version forward.</summary>
    [Fact]
    public async Task The_change_version_grows_with_every_kind_of_write()
    {
        var versions = new List<long> { await Store.GetChangeVersionAsync() };
        async Task Then(Func<Task> write)
        {
            await write();
            versions.Add(await Store.GetChangeVersionAsync());
        }
        var experiment = TestData.Experiment("experiment-a", CreatedAt, replicas: 2);
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);

        await Then(() => Store.CreateExperimentAsync(experiment));
        await Then(() => Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled));
        await Then(() => CommitAllAsync(TestData.Group(experiment, 0)));
        await Then(() => CommitAllAsync(TestData.Group(experiment, 1, [1])));
        await Then(() => Store.PublishFitAsync(new FitRecord(ensemble, 1, 0, "{}")));
        await Then(() => Store.PublishFitAsync(new FitRecord(ensemble, 2, 0, "{}")));

        Assert.Equal(versions.Order().Distinct(), versions);
    }

    /// <summary>Proves that calls which end up writing nothing leave the change version as it was,
    /// so that watchers are not woken for nothing.</summary>
    [Fact]
    public async Task Calls_that_write_nothing_leave_the_change_version_as_it_was()
    {
        var experiment = await CreateExperimentAsync(replicas: 2);
        await CommitAllAsync(TestData.Group(experiment, 0));
        var fit = new FitRecord(new EnsembleKey(experiment.Id, 1, 0), 2, 0, "{}");
        await Store.PublishFitAsync(fit);
        long version = await Store.GetChangeVersionAsync();

        Assert.False(await Store.CreateExperimentAsync(experiment));
        Assert.False(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Running));
        Assert.Equal([CommitOutcome.AlreadyCommitted, CommitOutcome.OutOfOrder], await Store.CommitEpochsAsync([TestData.Commit(experiment, 0, 0), TestData.Commit(experiment, 1, 2)]));
        Assert.Empty(await Store.CommitEpochsAsync([]));
        Assert.False(await Store.PublishFitAsync(fit with { Samples = 1 }));
        Assert.True(await Store.PublishFitAsync(fit));
        await Store.GetProgressAsync(experiment.Id);
        await ReadEnsembleAsync(fit.Key);

        Assert.Equal(version, await Store.GetChangeVersionAsync());
    }

    /// <summary>Proves a second instance on the same database (another process) reads every write
    /// of the first, and the same change version.</summary>
    [Fact]
    public async Task A_second_store_instance_sees_every_write_and_the_change_version()
    {
        var other = await OpenAnotherStoreAsync();
        var experiment = await CreateExperimentAsync(replicas: 2);
        await CommitThroughAsync(experiment, 0, store: other);
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        await other.PublishFitAsync(new FitRecord(ensemble, 2, 0, "{}"));

        Assert.Equal(await other.GetChangeVersionAsync(), await Store.GetChangeVersionAsync());
        Assert.Equal([0, 0], await Store.ListCompletedEpochsAsync(experiment.Id));
        Assert.Equal(TestData.Checkpoint(1, 0), (await Store.GetCheckpointAsync(experiment.Id, 1))!.State.ToArray());
        Assert.Equal(2, (await ReadEnsembleAsync(ensemble)).Count);
        Assert.Single(await Store.ListFitsAsync(experiment.Id));
    }

    /// <summary>Proves every publication that writes stamps its fit with the change version it
    /// moved the store to, and that asking for the fits changed after a version gives exactly the
    /// later ones, in version order, a republished fit once with its new version.</summary>
    [Fact]
    public async Task Fits_changed_after_a_version_come_with_the_version_that_published_them()
    {
        var experiment = await CreateExperimentAsync(layers: 2, epochs: 1);
        var other = await CreateExperimentAsync("experiment-b");
        long start = await Store.GetChangeVersionAsync();
        int othersPublished = 0;
        async Task<PublishedFit> PublishAsync(int layer, int epoch, long samples)
        {
            var fit = new FitRecord(new EnsembleKey(experiment.Id, layer, epoch), samples, 0, $$"""{"samples":{{samples}}}""");
            Assert.True(await Store.PublishFitAsync(fit));
            // Another experiment's publication, which moves the version on too.
            Assert.True(await Store.PublishFitAsync(new FitRecord(new EnsembleKey(other.Id, 1, 0), 2 + othersPublished++, 0, "{}")));
            return new PublishedFit(fit, await Store.GetChangeVersionAsync() - 1);
        }

        var first = await PublishAsync(2, 1, 2);
        var second = await PublishAsync(1, 0, 2);
        var republished = await PublishAsync(2, 1, 3);

        Assert.Equal([second, republished], await Store.ListFitsChangedAfterAsync(experiment.Id, start));
        Assert.Equal([second, republished], await Store.ListFitsChangedAfterAsync(experiment.Id, first.Version));
        Assert.Equal([republished], await Store.ListFitsChangedAfterAsync(experiment.Id, second.Version));
        Assert.Empty(await Store.ListFitsChangedAfterAsync(experiment.Id, republished.Version));
        Assert.True(first.Version > start);
    }

    /// <summary>Proves a publication that writes nothing (a retry, or a fit of fewer replicas)
    /// keeps the stored fit's version, so a watcher is not sent it again.</summary>
    [Fact]
    public async Task A_publication_that_writes_nothing_keeps_the_fit_version()
    {
        var experiment = await CreateExperimentAsync();
        var fit = new FitRecord(new EnsembleKey(experiment.Id, 1, 0), 3, 0, "{}");
        await Store.PublishFitAsync(fit);
        var published = Assert.Single(await Store.ListFitsChangedAfterAsync(experiment.Id, -1));

        Assert.True(await Store.PublishFitAsync(fit));
        Assert.False(await Store.PublishFitAsync(fit with { Samples = 2 }));

        Assert.Equal(published.Version, await Store.GetChangeVersionAsync());
        Assert.Equal([published], await Store.ListFitsChangedAfterAsync(experiment.Id, -1));
    }

    /// <summary>A store that announces changes must wake the wait without a poll, so it gets one
    /// too long to matter; others must be woken by polling.</summary>
    private TimeSpan PollIntervalFor(IPigmmStore store) => store is IStoreChangeNotifications ? TimeSpan.FromHours(1) : TimeSpan.FromMilliseconds(20);

    /// <summary>Proves the wait wakes on a write of the same store without polling.</summary>
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

    /// <summary>Proves the wait wakes, by polling, on a write of another instance.</summary>
    [Fact]
    public async Task The_change_wait_returns_when_another_store_instance_writes()
    {
        var other = await OpenAnotherStoreAsync();
        long known = await Store.GetChangeVersionAsync();
        var wait = Store.WaitForChangeAsync(known, TimeSpan.FromMilliseconds(20));

        await other.CreateExperimentAsync(TestData.Experiment("elsewhere", CreatedAt));

        Assert.True(await wait.WaitAsync(TestTimeout) > known);
    }

    /// <summary>Proves the wait does not wait when the version it knows is already old.</summary>
    [Fact]
    public async Task The_change_wait_returns_at_once_when_the_version_already_differs()
    {
        await CreateExperimentAsync();

        Assert.Equal(await Store.GetChangeVersionAsync(), await Store.WaitForChangeAsync(-1, TimeSpan.FromHours(1)).WaitAsync(TestTimeout));
    }

    /// <summary>Proves the wait ends with cancellation.</summary>
    [Fact]
    public async Task The_change_wait_ends_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var wait = Store.WaitForChangeAsync(await Store.GetChangeVersionAsync(), TimeSpan.FromHours(1), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TestTimeout));
    }

    /// <summary>Proves that a call cancelled before it starts throws and writes nothing.</summary>
    [Fact]
    public async Task A_call_cancelled_before_it_starts_writes_nothing()
    {
        var experiment = await CreateExperimentAsync(replicas: 2);
        string before = await ContentsAsync();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.CommitEpochsAsync(TestData.Group(experiment, 0), cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.CreateExperimentAsync(TestData.Experiment("other", CreatedAt), cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled, cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PublishFitAsync(new FitRecord(new EnsembleKey(experiment.Id, 1, 0), 2, 0, "{}"), cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ReadSnapshotsAsync(new EnsembleKey(experiment.Id, 1, 0), 0, 2, true, cancel.Token).ToListAsync().AsTask());

        Assert.Equal(before, await ContentsAsync());
    }

    /// <summary>Proves progress counts every committed replica-epoch (epoch 0 included) and the
    /// replicas that committed their last epoch, and is complete only when all have.</summary>
    [Fact]
    public async Task Progress_counts_committed_replica_epochs_and_finished_replicas()
    {
        var experiment = await CreateExperimentAsync(replicas: 5, epochs: 3);
        await CommitThroughAsync(experiment, 3, [0, 1]);
        await CommitThroughAsync(experiment, 1, [2]);
        await CommitThroughAsync(experiment, 0, [4]);

        var progress = await Store.GetProgressAsync(experiment.Id);

        Assert.Equal(new ExperimentProgress(4 + 4 + 2 + 0 + 1, 5 * 4, 2, 5), progress);
        Assert.Equal(0.55, progress.Fraction, 12);
        Assert.False(progress.IsComplete);
        await CommitThroughAsync(experiment, 3, [3]);
        await CommitAllAsync([TestData.Commit(experiment, 2, 2), TestData.Commit(experiment, 2, 3), TestData.Commit(experiment, 4, 1), TestData.Commit(experiment, 4, 2), TestData.Commit(experiment, 4, 3)]);
        Assert.Equal(new ExperimentProgress(20, 20, 5, 5), await Store.GetProgressAsync(experiment.Id));
        Assert.True((await Store.GetProgressAsync(experiment.Id)).IsComplete);
    }

    /// <summary>Proves a database that disappears gives <see cref="StoreUnavailableException"/>
    /// naming the store, loses nothing committed, and serves again once it is back.</summary>
    [Fact]
    public async Task A_database_that_goes_away_fails_calls_clearly_and_keeps_what_was_committed()
    {
        var experiment = await CreateExperimentAsync(replicas: 2);
        await CommitThroughAsync(experiment, 0);
        string committed = await ContentsAsync();

        await TakeDatabaseAwayAsync();
        var failures = new[]
        {
            await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.CommitEpochsAsync(TestData.Group(experiment, 1))),
            await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.ListCompletedEpochsAsync(experiment.Id)),
        };
        await BringDatabaseBackAsync();

        Assert.All(failures, failure =>
        {
            Assert.Equal(Store.Description, failure.Store);
            Assert.Contains(Store.Description, failure.Message);
            Assert.DoesNotContain('\n', failure.Message);
        });
        Assert.Equal(committed, await ContentsAsync());
        await CommitAllAsync(TestData.Group(experiment, 1));
    }
}
