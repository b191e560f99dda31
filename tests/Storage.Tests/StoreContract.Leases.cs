namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task A_claim_takes_the_first_free_batch_of_the_oldest_experiment_for_the_lease_time()
    {
        var older = await CreateExperimentAsync("older", replicas: 4, perBatch: 2);
        await CreateExperimentAsync("newer", replicas: 4, perBatch: 2);

        var first = await ClaimAsync("silo-1");
        var second = await ClaimAsync("silo-2");
        var third = await ClaimAsync("silo-1");

        Assert.Equal((older.Id, new ReplicaBatch(0, 0, 2)), (first.ExperimentId, first.Batch));
        Assert.Equal((older.Id, new ReplicaBatch(1, 2, 2)), (second.ExperimentId, second.Batch));
        Assert.Equal(("newer", 0), (third.ExperimentId, third.Batch.Batch));
        Assert.Equal(("silo-1", Time.GetUtcNow() + LeaseTime, -1), (first.Owner, first.ExpiresAt, first.CompletedEpochs));
        Assert.True(first.Checkpoint.IsEmpty);
        Assert.Equal(3, new[] { first.Token, second.Token, third.Token }.Distinct().Count());
        Assert.Equal(new BatchStatus(new(0, 0, 2), -1, "silo-1", first.ExpiresAt), await BatchAsync(older.Id, 0));
    }

    [Fact]
    public async Task A_claim_for_one_experiment_takes_only_its_batches()
    {
        await CreateExperimentAsync("older", replicas: 2, perBatch: 2);
        await CreateExperimentAsync("newer", replicas: 2, perBatch: 2);

        var lease = await ClaimAsync(experimentId: "newer");

        Assert.Equal("newer", lease.ExperimentId);
        Assert.Null(await Store.TryClaimAsync("silo-1", LeaseTime, "newer"));
    }

    [Fact]
    public async Task Nothing_is_claimable_while_every_batch_is_leased()
    {
        await CreateExperimentAsync(replicas: 4, perBatch: 2);
        await ClaimAsync();
        await ClaimAsync();

        Assert.Null(await Store.TryClaimAsync("silo-2", LeaseTime));
    }

    [Fact]
    public async Task Parallel_claimers_on_two_store_instances_never_get_the_same_batch()
    {
        await CreateExperimentAsync(replicas: 48, perBatch: 1);
        var other = await OpenAnotherStoreAsync();
        var claimers = Enumerable.Range(0, 12).Select(c => Task.Run(async () =>
        {
            var won = new List<WorkLease>();
            while (await (c % 2 == 0 ? Store : other).TryClaimAsync($"silo-{c}", LeaseTime) is { } lease)
            {
                won.Add(lease);
            }
            return won;
        }));

        var leases = (await Task.WhenAll(claimers)).SelectMany(won => won).ToList();

        Assert.Equal(Enumerable.Range(0, 48), leases.Select(l => l.Batch.Batch).Order());
        var holders = (await Store.ListBatchesAsync("experiment-a")).Select(b => (b.Batch.Batch, b.Owner));
        Assert.Equal(leases.Select(l => (l.Batch.Batch, (string?)l.Owner)).Order(), holders.Order());
    }

    [Fact]
    public async Task Two_store_instances_committing_at_once_lose_nothing()
    {
        var experiment = await CreateExperimentAsync(replicas: 4, perBatch: 2, epochs: 12);
        var other = await OpenAnotherStoreAsync();
        var first = await ClaimAsync("silo-1");
        var second = await ClaimAsync("silo-2", store: other);

        await Task.WhenAll(
            Task.Run(() => CommitThroughAsync(experiment, first, experiment.Epochs)),
            Task.Run(() => CommitThroughAsync(experiment, second, experiment.Epochs, other)));

        Assert.True((await Store.GetProgressAsync(experiment.Id)).IsComplete);
        Assert.Equal(4 * 13, (await Store.ReadMetricsAsync(experiment.Id)).Count);
        Assert.Equal(4 * 13 * 2, await Store.ReadWeightsAsync(experiment.Id).CountAsync());
    }

    [Fact]
    public async Task Renewing_a_held_lease_extends_it_and_keeps_its_token()
    {
        await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        Time.Advance(TimeSpan.FromSeconds(50));

        var renewed = await Store.RenewAsync(lease, TimeSpan.FromMinutes(2));
        Time.Advance(TimeSpan.FromSeconds(70));

        Assert.Equal(lease with { ExpiresAt = Time.GetUtcNow() + TimeSpan.FromSeconds(50) }, renewed);
        Assert.Null(await Store.TryClaimAsync("silo-2", LeaseTime));
        Assert.Equal(new BatchStatus(lease.Batch, -1, "silo-1", renewed!.ExpiresAt), await BatchAsync("experiment-a", 0));
    }

    [Fact]
    public async Task A_released_batch_is_claimable_at_once_and_the_old_lease_is_worthless()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();

        await Store.ReleaseAsync(lease);
        var next = await ClaimAsync("silo-2");

        Assert.Equal(lease.Batch, next.Batch);
        Assert.Null(await Store.RenewAsync(lease, LeaseTime));
        Assert.False(await Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 0)));
        await Store.ReleaseAsync(lease);
        Assert.Equal("silo-2", (await BatchAsync(experiment.Id, 0)).Owner);
    }

    [Fact]
    public async Task An_expired_lease_can_be_claimed_by_another_owner_and_the_old_holder_can_no_longer_commit()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync("silo-1");
        await CommitThroughAsync(experiment, lease, 0);
        Time.Advance(LeaseTime);

        var taken = await ClaimAsync("silo-2");
        bool committed = await Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 1));

        Assert.False(committed);
        Assert.Equal((lease.Batch, 0), (taken.Batch, taken.CompletedEpochs));
        Assert.NotEqual(lease.Token, taken.Token);
        Assert.Empty(await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 1)));
        Assert.Null(await Store.RenewAsync(lease, LeaseTime));
        await Store.ReleaseAsync(lease);
        Assert.Equal(new BatchStatus(lease.Batch, 0, "silo-2", taken.ExpiresAt), await BatchAsync(experiment.Id, 0));
        Assert.True(await Store.CommitEpochAsync(taken, TestData.Commit(experiment, taken.Batch, 1)));
    }

    [Fact]
    public async Task An_expired_lease_is_worthless_even_if_no_one_claimed_the_batch()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        Time.Advance(LeaseTime);

        Assert.Null(await Store.RenewAsync(lease, LeaseTime));
        Assert.False(await Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 0)));
        Assert.Equal(new BatchStatus(lease.Batch, -1, null, null), await BatchAsync(experiment.Id, 0));
    }

    [Fact]
    public async Task A_lease_is_held_until_the_instant_it_expires()
    {
        await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        Time.Advance(LeaseTime - TimeSpan.FromMicroseconds(1));

        Assert.Null(await Store.TryClaimAsync("silo-2", LeaseTime));
        Time.Advance(TimeSpan.FromMicroseconds(1));
        Assert.Equal(lease.Batch, (await ClaimAsync("silo-2")).Batch);
    }

    [Theory]
    [InlineData("", 60)]
    [InlineData("silo-1", 0)]
    [InlineData("silo-1", -5)]
    public async Task A_claim_needs_an_owner_and_a_positive_duration(string owner, int seconds)
    {
        await CreateExperimentAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.TryClaimAsync(owner, TimeSpan.FromSeconds(seconds)));

        Assert.All(await Store.ListBatchesAsync("experiment-a"), b => Assert.Null(b.Owner));
    }
}
