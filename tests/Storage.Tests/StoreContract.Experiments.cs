namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task A_created_experiment_is_returned_with_its_batches_not_started()
    {
        var experiment = await CreateExperimentAsync(replicas: 5, perBatch: 2);

        Assert.Equal(experiment, await Store.GetExperimentAsync(experiment.Id));
        Assert.Equal(
            [new(new(0, 0, 2), -1, null, null), new(new(1, 2, 2), -1, null, null), new BatchStatus(new(2, 4, 1), -1, null, null)],
            await Store.ListBatchesAsync(experiment.Id));
    }

    [Fact]
    public async Task Creating_an_existing_experiment_returns_false_and_leaves_it_untouched()
    {
        var experiment = await CreateExperimentAsync(replicas: 4, perBatch: 2);
        var again = experiment with { SpecJson = """{"other":true}""", CreatedAt = experiment.CreatedAt.AddHours(1) };

        Assert.False(await Store.CreateExperimentAsync(again, TestData.Batches(4, 4)));

        Assert.Equal(experiment, await Store.GetExperimentAsync(experiment.Id));
        Assert.Equal(2, (await Store.ListBatchesAsync(experiment.Id)).Count);
    }

    [Fact]
    public async Task Experiments_are_listed_oldest_first()
    {
        var first = await CreateExperimentAsync("zeta");
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await CreateExperimentAsync("alpha");

        Assert.Equal([first, second], await Store.ListExperimentsAsync());
    }

    [Fact]
    public async Task Creation_times_are_kept_to_the_microsecond_in_UTC()
    {
        var local = new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(1_234_567);
        var experiment = TestData.Experiment("timed", local);
        await Store.CreateExperimentAsync(experiment, TestData.Batches(6, 6));

        var stored = (await Store.GetExperimentAsync("timed"))!.CreatedAt;

        Assert.Equal(TimeSpan.Zero, stored.Offset);
        Assert.Equal(local.UtcTicks - 7, stored.UtcTicks);
    }

    [Fact]
    public async Task An_unknown_experiment_is_null_to_get_and_named_by_the_error_of_every_other_call()
    {
        const string unknown = "no-such-experiment";
        var lease = new WorkLease(unknown, new ReplicaBatch(0, 0, 1), "silo-1", Guid.NewGuid(), Time.GetUtcNow(), -1, ReadOnlyMemory<byte>.Empty);
        var ensemble = new EnsembleKey(unknown, 1, 0);
        Func<Task>[] calls =
        [
            () => Store.ListBatchesAsync(unknown),
            () => Store.TryClaimAsync("silo-1", LeaseTime, unknown),
            () => Store.RenewAsync(lease, LeaseTime),
            () => Store.ReleaseAsync(lease),
            () => Store.CommitEpochAsync(lease, new EpochCommit(0, ReadOnlyMemory<byte>.Empty, [], [])),
            () => Store.ReadSnapshotsAsync(ensemble, 0, 1, true).ToListAsync().AsTask(),
            () => Store.ReadWeightsAsync(unknown).ToListAsync().AsTask(),
            () => Store.ReadMetricsAsync(unknown),
            () => Store.GetAggregateAsync(ensemble),
            () => Store.SaveAggregateAsync(ensemble, new byte[] { 1 }, 0, null),
            () => Store.ListFitsAsync(unknown),
            () => Store.GetProgressAsync(unknown),
        ];

        Assert.Null(await Store.GetExperimentAsync(unknown));
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<KeyNotFoundException>(call);
            Assert.Contains(unknown, error.Message);
        }
    }

    public static TheoryData<string, ExperimentRecord, ReplicaBatch[]> InvalidExperiments()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var good = TestData.Experiment("bad", at, replicas: 4);
        ReplicaBatch[] halves = [new(0, 0, 2), new(1, 2, 2)];
        return new()
        {
            { "blank id", good with { Id = " " }, halves },
            { "no spec", good with { SpecJson = "" }, halves },
            { "no replicas", good with { Replicas = 0 }, [] },
            { "negative epochs", good with { Epochs = -1 }, halves },
            { "no layers", good with { Layers = 0 }, halves },
            { "matrix too large", good with { MatrixSize = StoreLimits.MaxMatrixSize + 1 }, halves },
            { "no batches", good, [] },
            { "gap between batches", good, [new(0, 0, 1), new(1, 2, 2)] },
            { "overlapping batches", good, [new(0, 0, 3), new(1, 2, 2)] },
            { "replicas left over", good, [new(0, 0, 2)] },
            { "beyond the last replica", good, [new(0, 0, 2), new(1, 2, 3)] },
            { "empty batch", good, [new(0, 0, 2), new(1, 2, 0), new(2, 2, 2)] },
            { "repeated batch number", good, [new(0, 0, 2), new(0, 2, 2)] },
            { "negative batch number", good, [new(0, 0, 2), new(-1, 2, 2)] },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidExperiments))]
    public async Task An_invalid_experiment_is_refused_and_nothing_is_stored(string problem, ExperimentRecord experiment, ReplicaBatch[] batches)
    {
        long version = await Store.GetChangeVersionAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CreateExperimentAsync(experiment, batches));

        Assert.Empty(await Store.ListExperimentsAsync());
        Assert.True(version == await Store.GetChangeVersionAsync(), problem);
    }
}
