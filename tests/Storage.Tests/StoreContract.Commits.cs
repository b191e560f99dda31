namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    [Fact]
    public async Task A_commit_stores_snapshots_metrics_and_checkpoint_and_advances_the_batch()
    {
        var experiment = await CreateExperimentAsync(replicas: 4, perBatch: 2);
        var lease = await ClaimAsync();
        var commit = TestData.Commit(experiment, lease.Batch, 0);

        Assert.True(await Store.CommitEpochAsync(lease, commit));

        Assert.Equal(0, (await BatchAsync(experiment.Id, 0)).CompletedEpochs);
        for (int layer = 1; layer <= experiment.Layers; layer++)
        {
            var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, layer, 0));
            var expected = commit.Snapshots.Where(s => s.Layer == layer).ToList();
            Assert.Equal(expected.Count, stored.Count);
            foreach (var (want, got) in expected.Zip(stored))
            {
                TestData.AssertSame(want, got);
            }
        }
        var metrics = await Store.ReadMetricsAsync(experiment.Id);
        Assert.Equal(commit.Metrics.Count, metrics.Count);
        foreach (var (want, got) in commit.Metrics.Zip(metrics))
        {
            TestData.AssertSame(want, got);
        }
    }

    [Fact]
    public async Task The_next_claim_resumes_from_the_checkpoint_of_the_last_commit()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        await CommitThroughAsync(experiment, lease, 1);
        await Store.ReleaseAsync(lease);

        var resumed = await ClaimAsync("silo-2");

        Assert.Equal(1, resumed.CompletedEpochs);
        Assert.Equal(TestData.Checkpoint(lease.Batch, 1), resumed.Checkpoint.ToArray());
    }

    [Fact]
    public async Task A_finished_batch_is_never_claimed_again()
    {
        var experiment = await CreateExperimentAsync(replicas: 4, perBatch: 2, epochs: 2);
        var lease = await ClaimAsync();
        await CommitThroughAsync(experiment, lease, experiment.Epochs);
        await Store.ReleaseAsync(lease);
        Time.Advance(LeaseTime * 10);

        var next = await ClaimAsync("silo-2");

        Assert.Equal(1, next.Batch.Batch);
        Assert.Null(await Store.TryClaimAsync("silo-3", LeaseTime));
        Assert.Equal(experiment.Epochs, (await BatchAsync(experiment.Id, 0)).CompletedEpochs);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(-1, 2)]
    [InlineData(1, 3)]
    [InlineData(1, 0)]
    public async Task A_commit_of_any_epoch_but_the_next_is_refused_and_writes_nothing(int committedBefore, int epoch)
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        await CommitThroughAsync(experiment, lease, committedBefore);
        long version = await Store.GetChangeVersionAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, epoch)));

        Assert.Equal(committedBefore, (await BatchAsync(experiment.Id, 0)).CompletedEpochs);
        Assert.Equal(version, await Store.GetChangeVersionAsync());
    }

    [Fact]
    public async Task Writing_the_same_snapshot_twice_is_a_no_op()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        var first = TestData.Commit(experiment, lease.Batch, 0);
        await Store.CommitEpochAsync(lease, first);
        long version = await Store.GetChangeVersionAsync();
        var retried = first with
        {
            Checkpoint = new byte[] { 9, 9, 9 },
            Snapshots = first.Snapshots.Select(s => s with { Weights = new float[experiment.MatrixSize * experiment.MatrixSize], Invariants = [42.0] }).ToList(),
        };

        Assert.True(await Store.CommitEpochAsync(lease, retried));

        var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));
        foreach (var (want, got) in first.Snapshots.Where(s => s.Layer == 1).Zip(stored))
        {
            TestData.AssertSame(want, got);
        }
        Assert.Equal(version, await Store.GetChangeVersionAsync());
        await Store.ReleaseAsync(lease);
        Assert.Equal(first.Checkpoint.ToArray(), (await ClaimAsync()).Checkpoint.ToArray());
    }

    public static TheoryData<string, Func<ExperimentRecord, EpochCommit, EpochCommit>> MalformedCommits() => new()
    {
        { "replica outside the batch", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Replica = 2 }] } },
        { "layer 0", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Layer = 0 }] } },
        { "layer beyond L", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Layer = e.Layers + 1 }] } },
        { "snapshot of another epoch", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Epoch = 1 }] } },
        { "snapshot missing", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1)] } },
        { "snapshot twice", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[1]] } },
        { "weights not n x n", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Weights = new float[e.MatrixSize] }] } },
        { "no invariants, not diverged", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Invariants = null }] } },
        { "invariants, diverged", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Diverged = true }] } },
        { "metrics of a replica outside the batch", (e, c) => c with { Metrics = [.. c.Metrics.Skip(1), c.Metrics[0] with { Replica = 5 }] } },
        { "metrics of another epoch", (e, c) => c with { Metrics = [.. c.Metrics.Skip(1), c.Metrics[0] with { Epoch = 2 }] } },
        { "metrics missing", (e, c) => c with { Metrics = [.. c.Metrics.Skip(1)] } },
        { "metrics twice", (e, c) => c with { Metrics = [.. c.Metrics, c.Metrics[0]] } },
        { "epoch beyond E", (e, c) => c with { Epoch = e.Epochs + 1 } },
    };

    [Theory]
    [MemberData(nameof(MalformedCommits))]
    public async Task A_malformed_commit_is_refused_and_writes_nothing(string problem, Func<ExperimentRecord, EpochCommit, EpochCommit> spoil)
    {
        var experiment = await CreateExperimentAsync(replicas: 4, perBatch: 2);
        var lease = await ClaimAsync();
        long version = await Store.GetChangeVersionAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CommitEpochAsync(lease, spoil(experiment, TestData.Commit(experiment, lease.Batch, 0))));

        Assert.Contains(experiment.Id, error.Message);
        Assert.True(version == await Store.GetChangeVersionAsync(), problem);
        Assert.Equal(-1, (await BatchAsync(experiment.Id, 0)).CompletedEpochs);
        Assert.Empty(await Store.ReadMetricsAsync(experiment.Id));
    }

    [Fact]
    public async Task Weights_not_kept_read_back_as_null_while_invariants_are_always_kept()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2);
        var lease = await ClaimAsync();
        await Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 0, keepWeights: false));
        await Store.CommitEpochAsync(lease, TestData.Commit(experiment, lease.Batch, 1, keepWeights: true));

        var withoutWeights = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));

        Assert.All(withoutWeights, s => Assert.Null(s.Weights));
        Assert.All(withoutWeights, s => Assert.Equal(TestData.Bits(TestData.Invariants(s.Replica, 1, 0)), TestData.Bits(s.Invariants)));
        Assert.All(await Store.ReadWeightsAsync(experiment.Id).ToListAsync(), s => Assert.Equal(1, s.Epoch));
    }

    [Fact]
    public async Task A_diverged_replica_keeps_its_flag_and_has_no_invariants()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, perBatch: 2, layers: 1);
        var lease = await ClaimAsync();
        var weights = Enumerable.Repeat(float.NaN, 9).ToArray();
        var commit = TestData.Commit(experiment, lease.Batch, 0);
        commit = commit with
        {
            Snapshots = [commit.Snapshots[0], new SnapshotRecord(1, 1, 0, weights, null, Diverged: true)],
            Metrics = [commit.Metrics[0], new ReplicaMetrics(1, 0, double.NaN, null, Diverged: true)],
        };

        await Store.CommitEpochAsync(lease, commit);

        var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));
        TestData.AssertSame(commit.Snapshots[1], stored[1]);
        TestData.AssertSame(commit.Metrics[1], (await Store.ReadMetricsAsync(experiment.Id))[1]);
    }

    [Fact]
    public async Task Extreme_floats_round_trip_bit_for_bit()
    {
        var experiment = await CreateExperimentAsync(replicas: 14, perBatch: 14, layers: 1, matrixSize: 4);
        var lease = await ClaimAsync();
        var singles = TestData.ExtremeSingles();
        var doubles = TestData.ExtremeDoubles();
        var snapshots = TestData.Replicas(lease.Batch).Select(r => new SnapshotRecord(
            r, 1, 0, Enumerable.Range(0, 16).Select(i => singles[(r + i) % singles.Length]).ToArray(), [.. doubles.Skip(r), .. doubles.Take(r)], false)).ToList();
        var metrics = TestData.Replicas(lease.Batch).Select(r => new ReplicaMetrics(r, 0, doubles[r], r % 2 == 0 ? doubles[^(r + 1)] : null, false)).ToList();

        await Store.CommitEpochAsync(lease, new EpochCommit(0, new byte[] { 0, 255 }, snapshots, metrics));

        var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));
        foreach (var (want, got) in snapshots.Zip(stored, (w, g) => (w, g)))
        {
            TestData.AssertSame(want, got);
        }
        foreach (var (want, got) in metrics.Zip(await Store.ReadMetricsAsync(experiment.Id), (w, g) => (w, g)))
        {
            TestData.AssertSame(want, got);
        }
    }
}
