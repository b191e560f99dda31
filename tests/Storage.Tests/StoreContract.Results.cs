namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    /// <summary>Creates an experiment of 2 batches of 2 replicas and commits epochs 0..<paramref name="lastEpoch"/>
    /// of the second batch before those of the first, so that storage order differs from key order.</summary>
    private async Task<ExperimentRecord> TrainBackwardsAsync(int lastEpoch)
    {
        var experiment = await CreateExperimentAsync(replicas: 4, perBatch: 2, epochs: 2, layers: 2);
        var first = await ClaimAsync("silo-1");
        var second = await ClaimAsync("silo-2");
        await CommitThroughAsync(experiment, second, lastEpoch);
        await CommitThroughAsync(experiment, first, lastEpoch);
        return experiment;
    }

    [Fact]
    public async Task An_ensemble_is_read_by_replica_within_the_requested_range_with_or_without_weights()
    {
        var experiment = await TrainBackwardsAsync(1);
        var ensemble = new EnsembleKey(experiment.Id, 2, 1);

        var middle = await ReadEnsembleAsync(ensemble, includeWeights: true, firstReplica: 1, replicaCount: 2);
        var all = await ReadEnsembleAsync(ensemble, includeWeights: false);

        Assert.Equal([1, 2], middle.Select(s => s.Replica));
        foreach (var snapshot in middle)
        {
            TestData.AssertSame(TestData.Snapshot(experiment, snapshot.Replica, 2, 1), snapshot);
        }
        Assert.Equal([0, 1, 2, 3], all.Select(s => s.Replica));
        foreach (var snapshot in all)
        {
            TestData.AssertSame(TestData.Snapshot(experiment, snapshot.Replica, 2, 1, keepWeights: false), snapshot);
        }
        Assert.Empty(await ReadEnsembleAsync(ensemble, firstReplica: 4, replicaCount: 10));
        Assert.Empty(await ReadEnsembleAsync(ensemble with { Epoch = 2 }));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 1)]
    [InlineData(1, -1)]
    [InlineData(1, 3)]
    public async Task An_ensemble_outside_the_experiment_is_refused(int layer, int epoch)
    {
        var experiment = await CreateExperimentAsync(layers: 2, epochs: 2);
        var ensemble = new EnsembleKey(experiment.Id, layer, epoch);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadEnsembleAsync(ensemble));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetAggregateAsync(ensemble));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SaveAggregateAsync(ensemble, new byte[] { 1 }, 0, null));
    }

    [Fact]
    public async Task Weights_are_read_in_replica_epoch_layer_order()
    {
        var experiment = await TrainBackwardsAsync(2);

        var weights = await Store.ReadWeightsAsync(experiment.Id).ToListAsync();

        var expected =
            from replica in Enumerable.Range(0, 4)
            from epoch in Enumerable.Range(0, 3)
            from layer in Enumerable.Range(1, 2)
            select TestData.Snapshot(experiment, replica, layer, epoch);
        Assert.Equal(expected.Count(), weights.Count);
        foreach (var (want, got) in expected.Zip(weights))
        {
            TestData.AssertSame(want, got);
        }
    }

    [Fact]
    public async Task Metrics_are_read_by_epoch_then_replica()
    {
        var experiment = await TrainBackwardsAsync(1);

        var metrics = await Store.ReadMetricsAsync(experiment.Id);

        Assert.Equal(
            [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3)],
            metrics.Select(m => (m.Epoch, m.Replica)));
    }

    [Fact]
    public async Task An_aggregate_is_saved_by_compare_and_set_with_its_fit()
    {
        var experiment = await CreateExperimentAsync();
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        var fit = new FitRecord(ensemble, 6, 0, """{"mu":0.5}""");

        Assert.Null(await Store.GetAggregateAsync(ensemble));
        Assert.True(await Store.SaveAggregateAsync(ensemble, new byte[] { 1, 2, 3 }, 0, fit));
        Assert.True(await Store.SaveAggregateAsync(ensemble, new byte[] { 4, 5 }, 1, null));

        var aggregate = await Store.GetAggregateAsync(ensemble);
        Assert.Equal((ensemble, 2L), (aggregate!.Key, aggregate.Version));
        Assert.Equal([4, 5], aggregate.State.ToArray());
        Assert.Equal([fit], await Store.ListFitsAsync(experiment.Id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task A_stale_aggregate_version_is_refused_and_writes_nothing(long staleVersion)
    {
        var experiment = await CreateExperimentAsync();
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        var fit = new FitRecord(ensemble, 6, 0, """{"mu":0.5}""");
        await Store.SaveAggregateAsync(ensemble, new byte[] { 1 }, 0, fit);
        long version = await Store.GetChangeVersionAsync();

        bool saved = await Store.SaveAggregateAsync(ensemble, new byte[] { 9 }, staleVersion, fit with { Samples = 99 });

        Assert.False(saved);
        var aggregate = await Store.GetAggregateAsync(ensemble);
        Assert.Equal(1, aggregate!.Version);
        Assert.Equal([1], aggregate.State.ToArray());
        Assert.Equal([fit], await Store.ListFitsAsync(experiment.Id));
        Assert.Equal(version, await Store.GetChangeVersionAsync());
    }

    [Fact]
    public async Task A_fit_must_belong_to_the_ensemble_it_is_saved_with()
    {
        var experiment = await CreateExperimentAsync();
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.SaveAggregateAsync(ensemble, new byte[] { 1 }, 0, new FitRecord(ensemble with { Epoch = 1 }, 1, 0, "{}")));

        Assert.Null(await Store.GetAggregateAsync(ensemble));
    }

    [Fact]
    public async Task Fits_are_listed_by_layer_then_epoch()
    {
        var experiment = await CreateExperimentAsync(layers: 2, epochs: 2);
        (int Layer, int Epoch)[] savedOrder = [(2, 1), (1, 2), (2, 0), (1, 0), (1, 1)];
        foreach (var (layer, epoch) in savedOrder)
        {
            var ensemble = new EnsembleKey(experiment.Id, layer, epoch);
            await Store.SaveAggregateAsync(ensemble, new byte[] { 1 }, 0, new FitRecord(ensemble, 6, 1, $$"""{"layer":{{layer}},"epoch":{{epoch}}}"""));
        }

        var fits = await Store.ListFitsAsync(experiment.Id);

        Assert.Equal(savedOrder.Order(), fits.Select(f => (f.Key.Layer, f.Key.Epoch)));
        Assert.All(fits, f => Assert.Equal($$"""{"layer":{{f.Key.Layer}},"epoch":{{f.Key.Epoch}}}""", f.FitJson));
    }
}
