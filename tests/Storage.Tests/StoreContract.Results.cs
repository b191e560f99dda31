namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    /// <summary>Creates an experiment of 4 replicas and commits epochs 0..<paramref name="lastEpoch"/>
    /// of replicas 2 and 3 before those of 0 and 1, so that storage order differs from key order.</summary>
    private async Task<ExperimentRecord> TrainBackwardsAsync(int lastEpoch)
    {
        var experiment = await CreateExperimentAsync(replicas: 4, epochs: 2, layers: 2);
        await CommitThroughAsync(experiment, lastEpoch, [3, 2]);
        await CommitThroughAsync(experiment, lastEpoch, [1, 0]);
        return experiment;
    }

    /// <summary>Proves an ensemble is read ordered by replica, limited to the range asked for,
    /// with weights only when asked for.</summary>
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

    /// <summary>Proves that layers outside 1..L and epochs outside 0..E are refused by reads and
    /// by fit publication alike.</summary>
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
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.PublishFitAsync(new FitRecord(ensemble, 4, 0, "{}")));
        Assert.Empty(await Store.ListFitsAsync(experiment.Id));
    }

    /// <summary>Proves the weight export order is (replica, epoch, layer) whatever the commit order.</summary>
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

    /// <summary>Proves metrics are read by epoch, then replica, whatever the commit order.</summary>
    [Fact]
    public async Task Metrics_are_read_by_epoch_then_replica()
    {
        var experiment = await TrainBackwardsAsync(1);

        var metrics = await Store.ReadMetricsAsync(experiment.Id);

        Assert.Equal(
            [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3)],
            metrics.Select(m => (m.Epoch, m.Replica)));
    }

    /// <summary>Proves a published fit is listed as it was given.</summary>
    [Fact]
    public async Task A_published_fit_is_listed_as_given()
    {
        var experiment = await CreateExperimentAsync();
        var fit = new FitRecord(new EnsembleKey(experiment.Id, 1, 0), 3, 1, """{"mu":0.5}""");

        Assert.True(await Store.PublishFitAsync(fit));

        Assert.Equal([fit], await Store.ListFitsAsync(experiment.Id));
    }

    /// <summary>Proves a fit never goes back to fewer replicas: a publication replaces the stored
    /// fit (3 fitted + 1 diverged) when it accounts for as many replicas or more, whatever its split
    /// of fitted and diverged; one that accounts for fewer is refused and writes nothing.</summary>
    [Theory]
    [InlineData(3, 0, false)]
    [InlineData(0, 3, false)]
    [InlineData(2, 1, false)]
    [InlineData(3, 1, true)]
    [InlineData(4, 0, true)]
    [InlineData(2, 2, true)]
    [InlineData(4, 1, true)]
    [InlineData(0, 6, true)]
    public async Task A_fit_replaces_the_stored_one_only_when_it_accounts_for_as_many_replicas_or_more(long samples, int diverged, bool replaces)
    {
        var experiment = await CreateExperimentAsync();
        var ensemble = new EnsembleKey(experiment.Id, 1, 0);
        await Store.PublishFitAsync(new FitRecord(ensemble, 3, 1, """{"mu":0.5}"""));
        string before = await ContentsAsync();
        var later = new FitRecord(ensemble, samples, diverged, """{"mu":0.7}""");

        Assert.Equal(replaces, await Store.PublishFitAsync(later));

        if (replaces)
        {
            Assert.Equal([later], await Store.ListFitsAsync(experiment.Id));
            Assert.NotEqual(before, await ContentsAsync());
        }
        else
        {
            Assert.Equal(before, await ContentsAsync());
        }
    }

    /// <summary>Proves that late and duplicate publications in any order leave the fit of the
    /// most replicas, and that publishing the stored fit again succeeds without a write.</summary>
    [Fact]
    public async Task Publications_in_any_order_leave_the_fit_of_the_most_replicas()
    {
        var experiment = await CreateExperimentAsync();
        var ensemble = new EnsembleKey(experiment.Id, 2, 1);
        var fits = Enumerable.Range(1, 4).Select(k => new FitRecord(ensemble, k, 0, $$"""{"k":{{k}}}""")).ToArray();

        foreach (var fit in new[] { fits[1], fits[3], fits[0], fits[2], fits[1] })
        {
            await Store.PublishFitAsync(fit);
        }
        string before = await ContentsAsync();

        Assert.True(await Store.PublishFitAsync(fits[3]));
        Assert.Equal(before, await ContentsAsync());
        Assert.Equal([fits[3]], await Store.ListFitsAsync(experiment.Id));
    }

    /// <summary>Proves the fit listing order is (layer, epoch) whatever the publication order.</summary>
    [Fact]
    public async Task Fits_are_listed_by_layer_then_epoch()
    {
        var experiment = await CreateExperimentAsync(layers: 2, epochs: 2);
        (int Layer, int Epoch)[] savedOrder = [(2, 1), (1, 2), (2, 0), (1, 0), (1, 1)];
        foreach (var (layer, epoch) in savedOrder)
        {
            await Store.PublishFitAsync(new FitRecord(new EnsembleKey(experiment.Id, layer, epoch), 6, 1, $$"""{"layer":{{layer}},"epoch":{{epoch}}}"""));
        }

        var fits = await Store.ListFitsAsync(experiment.Id);

        Assert.Equal(savedOrder.Order(), fits.Select(f => (f.Key.Layer, f.Key.Epoch)));
        Assert.All(fits, f => Assert.Equal($$"""{"layer":{{f.Key.Layer}},"epoch":{{f.Key.Epoch}}}""", f.FitJson));
    }
}
