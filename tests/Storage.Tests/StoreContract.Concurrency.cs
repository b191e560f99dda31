namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    /// <summary>Proves that two store instances on one database (two silos) committing groups of
    /// disjoint replicas at the same time lose no row, progress or checkpoint of either.</summary>
    [Fact]
    public async Task Two_store_instances_committing_disjoint_replicas_at_once_lose_nothing()
    {
        var experiment = await CreateExperimentAsync(replicas: 8, epochs: 12);
        var other = await OpenAnotherStoreAsync();
        int[] evens = [0, 2, 4, 6], odds = [1, 3, 5, 7];

        await Task.WhenAll(
            Task.Run(() => CommitThroughAsync(experiment, experiment.Epochs, evens)),
            Task.Run(() => CommitThroughAsync(experiment, experiment.Epochs, odds, other)));

        Assert.True((await Store.GetProgressAsync(experiment.Id)).IsComplete);
        Assert.Equal(8 * 13, (await Store.ReadMetricsAsync(experiment.Id)).Count);
        Assert.Equal(8 * 13 * 2, await Store.ReadWeightsAsync(experiment.Id).CountAsync());
        for (int replica = 0; replica < 8; replica++)
        {
            Assert.Equal(TestData.Checkpoint(replica, 12), (await other.GetCheckpointAsync(experiment.Id, replica))!.State.ToArray());
        }
    }

    /// <summary>Proves that two instances committing the same replicas' epochs at the same time
    /// (a duplicate activation) write each epoch once: for every commit exactly one of the two
    /// reports Committed and the other AlreadyCommitted.</summary>
    [Fact]
    public async Task Duplicate_committers_on_two_store_instances_write_each_epoch_exactly_once()
    {
        var experiment = await CreateExperimentAsync(replicas: 3, epochs: 10);
        var other = await OpenAnotherStoreAsync();
        async Task<List<CommitOutcome>> CommitEveryEpochAsync(IPigmmStore store)
        {
            var outcomes = new List<CommitOutcome>();
            for (int epoch = 0; epoch <= experiment.Epochs; epoch++)
            {
                outcomes.AddRange(await store.CommitEpochsAsync(TestData.Group(experiment, epoch)));
            }
            return outcomes;
        }

        var results = await Task.WhenAll(Task.Run(() => CommitEveryEpochAsync(Store)), Task.Run(() => CommitEveryEpochAsync(other)));

        Assert.All(results[0].Zip(results[1]), pair =>
            Assert.Equal([CommitOutcome.Committed, CommitOutcome.AlreadyCommitted], new[] { pair.First, pair.Second }.Order()));
        Assert.Equal([10, 10, 10], await Store.ListCompletedEpochsAsync(experiment.Id));
        Assert.Equal(3 * 11, (await Store.ReadMetricsAsync(experiment.Id)).Count);
    }
}
