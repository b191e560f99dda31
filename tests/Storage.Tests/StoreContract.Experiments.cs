namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    /// <summary>Proves that creation stores the record as given, running, with one progress row
    /// per replica and no checkpoint.</summary>
    [Fact]
    public async Task A_created_experiment_is_running_and_none_of_its_replicas_has_committed()
    {
        var experiment = await CreateExperimentAsync(replicas: 5);

        Assert.Equal(experiment, await Store.GetExperimentAsync(experiment.Id));
        Assert.Equal(ExperimentLifecycle.Running, experiment.Lifecycle);
        Assert.Equal([-1, -1, -1, -1, -1], await Store.ListCompletedEpochsAsync(experiment.Id));
        for (int replica = 0; replica < 5; replica++)
        {
            Assert.Null(await Store.GetCheckpointAsync(experiment.Id, replica));
        }
    }

    /// <summary>Proves that the lifecycle of the record given to creation is not stored: a new
    /// experiment is always running.</summary>
    [Fact]
    public async Task An_experiment_is_created_running_whatever_lifecycle_its_record_says()
    {
        var experiment = TestData.Experiment("cancelled-on-arrival", CreatedAt) with { Lifecycle = ExperimentLifecycle.Cancelled };

        Assert.True(await Store.CreateExperimentAsync(experiment));

        Assert.Equal(ExperimentLifecycle.Running, (await Store.GetExperimentAsync(experiment.Id))!.Lifecycle);
    }

    /// <summary>Proves that creating an experiment again changes nothing of it: spec, time,
    /// lifecycle, progress and checkpoints stay, and the change version does not move.</summary>
    [Fact]
    public async Task Creating_an_existing_experiment_returns_false_and_leaves_it_untouched()
    {
        var experiment = await CreateExperimentAsync();
        await CommitAllAsync(TestData.Group(experiment, 0, [1]));
        await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled);
        string before = await ContentsAsync();
        var again = experiment with { SpecJson = """{"other":true}""", CreatedAt = experiment.CreatedAt.AddHours(1), Replicas = 9 };

        Assert.False(await Store.CreateExperimentAsync(again));

        Assert.Equal(before, await ContentsAsync());
    }

    /// <summary>Proves the listing order is that of creation, not of ids.</summary>
    [Fact]
    public async Task Experiments_are_listed_oldest_first()
    {
        var first = await CreateExperimentAsync("zeta");
        var second = await CreateExperimentAsync("alpha");

        Assert.Equal([first, second], await Store.ListExperimentsAsync());
    }

    /// <summary>Proves that creation times lose only their sub-microsecond ticks and come back in UTC.</summary>
    [Fact]
    public async Task Creation_times_are_kept_to_the_microsecond_in_UTC()
    {
        var local = new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        await Store.CreateExperimentAsync(TestData.Experiment("timed", local));

        var stored = (await Store.GetExperimentAsync("timed"))!.CreatedAt;

        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal(local.UtcTicks - 7, stored.UtcTicks);
    }

    /// <summary>Proves that a lifecycle change is stored and reported, and that setting the
    /// lifecycle an experiment already has reports false and writes nothing.</summary>
    [Fact]
    public async Task The_lifecycle_is_set_and_reported_changed_only_when_it_changes()
    {
        var experiment = await CreateExperimentAsync();

        Assert.False(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Running));
        Assert.True(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled));
        string cancelled = await ContentsAsync();
        Assert.False(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled));
        Assert.Equal(cancelled, await ContentsAsync());
        Assert.Equal(ExperimentLifecycle.Cancelled, (await Store.GetExperimentAsync(experiment.Id))!.Lifecycle);
        Assert.True(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Running));
        Assert.True(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Complete));

        Assert.Equal([experiment with { Lifecycle = ExperimentLifecycle.Complete }], await Store.ListExperimentsAsync());
    }

    /// <summary>Proves that a store instance does not answer with a lifecycle it remembers when
    /// another instance (another process) has changed it.</summary>
    [Fact]
    public async Task A_lifecycle_set_through_another_store_instance_is_seen_at_once()
    {
        var experiment = await CreateExperimentAsync();
        var other = await OpenAnotherStoreAsync();
        Assert.Equal(ExperimentLifecycle.Running, (await Store.GetExperimentAsync(experiment.Id))!.Lifecycle);

        Assert.True(await other.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled));

        Assert.Equal(ExperimentLifecycle.Cancelled, (await Store.GetExperimentAsync(experiment.Id))!.Lifecycle);
        Assert.False(await Store.SetLifecycleAsync(experiment.Id, ExperimentLifecycle.Cancelled));
    }

    /// <summary>Proves that every call about an experiment that does not exist says which one,
    /// and that getting it is simply null.</summary>
    [Fact]
    public async Task An_unknown_experiment_is_null_to_get_and_named_by_the_error_of_every_other_call()
    {
        const string unknown = "no-such-experiment";
        await CreateExperimentAsync();
        var ensemble = new EnsembleKey(unknown, 1, 0);
        var stranger = TestData.Commit(TestData.Experiment(unknown, CreatedAt), 0, 0);
        Func<Task>[] calls =
        [
            () => Store.SetLifecycleAsync(unknown, ExperimentLifecycle.Cancelled),
            () => Store.ListCompletedEpochsAsync(unknown),
            () => Store.GetCheckpointAsync(unknown, 0),
            () => Store.GetCompletedEpochAsync(unknown, 0),
            () => Store.CommitEpochsAsync([stranger]),
            () => Store.ReadSnapshotsAsync(ensemble, 0, 1, true).ToListAsync().AsTask(),
            () => Store.ReadWeightsAsync(unknown).ToListAsync().AsTask(),
            () => Store.ReadMetricsAsync(unknown),
            () => Store.PublishFitAsync(new FitRecord(ensemble, 1, 0, "{}")),
            () => Store.ListFitsAsync(unknown),
            () => Store.ListFitsChangedAfterAsync(unknown, -1),
            () => Store.GetProgressAsync(unknown),
        ];
        string before = await ContentsAsync();

        Assert.Null(await Store.GetExperimentAsync(unknown));
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<KeyNotFoundException>(call);
            Assert.Contains(unknown, error.Message);
        }
        Assert.Equal(before, await ContentsAsync());
    }

    public static TheoryData<string, ExperimentRecord> InvalidExperiments()
    {
        var good = TestData.Experiment("bad", CreatedAt, replicas: 4);
        return new()
        {
            { "blank id", good with { Id = " " } },
            { "no spec", good with { SpecJson = "" } },
            { "no replicas", good with { Replicas = 0 } },
            { "negative epochs", good with { Epochs = -1 } },
            { "no layers", good with { Layers = 0 } },
            { "no matrix", good with { MatrixSize = 0 } },
            { "matrix too large", good with { MatrixSize = StoreLimits.MaxMatrixSize + 1 } },
        };
    }

    /// <summary>Proves that each out-of-range shape figure is refused, naming the experiment
    /// argument, before anything is stored.</summary>
    [Theory]
    [MemberData(nameof(InvalidExperiments))]
    public async Task An_invalid_experiment_is_refused_and_nothing_is_stored(string problem, ExperimentRecord experiment)
    {
        long version = await Store.GetChangeVersionAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CreateExperimentAsync(experiment));

        Assert.Equal("experiment", error.ParamName);
        Assert.Empty(await Store.ListExperimentsAsync());
        Assert.True(version == await Store.GetChangeVersionAsync(), problem);
    }

    public static TheoryData<string, string, Func<IPigmmStore, Task>> BadArguments()
    {
        const string id = "experiment-a";
        var fit = new FitRecord(new EnsembleKey(id, 1, 0), 4, 0, "{}");
        return new()
        {
            { "null experiment", "experiment", s => s.CreateExperimentAsync(null!) },
            { "null id to get", "experimentId", s => s.GetExperimentAsync(null!) },
            { "null id to set the lifecycle", "experimentId", s => s.SetLifecycleAsync(null!, ExperimentLifecycle.Cancelled) },
            { "undefined lifecycle", "lifecycle", s => s.SetLifecycleAsync(id, (ExperimentLifecycle)7) },
            { "null id to list completed epochs", "experimentId", s => s.ListCompletedEpochsAsync(null!) },
            { "null id to get a checkpoint", "experimentId", s => s.GetCheckpointAsync(null!, 0) },
            { "negative replica of a checkpoint", "replica", s => s.GetCheckpointAsync(id, -1) },
            { "checkpoint of replica R", "replica", s => s.GetCheckpointAsync(id, 4) },
            { "null group", "commits", s => s.CommitEpochsAsync(null!) },
            { "null ensemble", "ensemble", s => s.ReadSnapshotsAsync(null!, 0, 1, true).ToListAsync().AsTask() },
            { "negative first replica", "firstReplica", s => s.ReadSnapshotsAsync(fit.Key, -1, 1, true).ToListAsync().AsTask() },
            { "negative replica count", "replicaCount", s => s.ReadSnapshotsAsync(fit.Key, 0, -1, true).ToListAsync().AsTask() },
            { "ensemble of layer 0", "ensemble", s => s.ReadSnapshotsAsync(fit.Key with { Layer = 0 }, 0, 1, true).ToListAsync().AsTask() },
            { "null id to read weights", "experimentId", s => s.ReadWeightsAsync(null!).ToListAsync().AsTask() },
            { "null id to read metrics", "experimentId", s => s.ReadMetricsAsync(null!) },
            { "null fit", "fit", s => s.PublishFitAsync(null!) },
            { "fit without a key", "fit", s => s.PublishFitAsync(fit with { Key = null! }) },
            { "fit without a document", "fit", s => s.PublishFitAsync(fit with { FitJson = null! }) },
            { "fit of negative samples", "fit", s => s.PublishFitAsync(fit with { Samples = -1 }) },
            { "fit of negative diverged", "fit", s => s.PublishFitAsync(fit with { Diverged = -1 }) },
            { "fit of layer L + 1", "fit", s => s.PublishFitAsync(fit with { Key = fit.Key with { Layer = 3 } }) },
            { "fit of epoch E + 1", "fit", s => s.PublishFitAsync(fit with { Key = fit.Key with { Epoch = 4 } }) },
            { "null id to list fits", "experimentId", s => s.ListFitsAsync(null!) },
        };
    }

    /// <summary>Proves that every call refuses a bad argument with an <see cref="ArgumentException"/>
    /// naming that argument, and writes nothing.</summary>
    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task A_bad_argument_is_refused_naming_it_and_writes_nothing(string problem, string parameter, Func<IPigmmStore, Task> call)
    {
        await CreateExperimentAsync(replicas: 4, epochs: 3, layers: 2);
        string before = await ContentsAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => call(Store));

        Assert.True(parameter == error.ParamName, $"{problem}: the error names '{error.ParamName}', not '{parameter}'.");
        Assert.Equal(before, await ContentsAsync());
    }
}
