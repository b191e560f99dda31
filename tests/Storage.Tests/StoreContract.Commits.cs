namespace OrleansPigmm.Storage.Tests;

public abstract partial class StoreContract
{
    /// <summary>Proves that a group writes each replica's snapshots, metrics and checkpoint and
    /// makes the epoch each replica's last committed one.</summary>
    [Fact]
    public async Task A_group_commit_stores_every_replica_epoch_and_advances_each_replica()
    {
        var experiment = await CreateExperimentAsync(replicas: 4);
        var group = TestData.Group(experiment, 0);

        Assert.Equal(Enumerable.Repeat(CommitOutcome.Committed, 4), await Store.CommitEpochsAsync(group));

        Assert.Equal([0, 0, 0, 0], await Store.ListCompletedEpochsAsync(experiment.Id));
        for (int layer = 1; layer <= experiment.Layers; layer++)
        {
            var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, layer, 0));
            Assert.Equal(4, stored.Count);
            foreach (var (want, got) in group.Select(c => c.Snapshots[layer - 1]).Zip(stored))
            {
                TestData.AssertSame(want, got);
            }
        }
        var metrics = await Store.ReadMetricsAsync(experiment.Id);
        Assert.Equal(4, metrics.Count);
        foreach (var (want, got) in group.Select(c => c.Metrics).Zip(metrics))
        {
            TestData.AssertSame(want, got);
        }
        foreach (var commit in group)
        {
            var checkpoint = await Store.GetCheckpointAsync(experiment.Id, commit.Replica);
            Assert.Equal((commit.Replica, 0), (checkpoint!.Replica, checkpoint.Epoch));
            Assert.Equal(commit.Checkpoint.ToArray(), checkpoint.State.ToArray());
        }
    }

    /// <summary>Proves that a replica keeps one checkpoint, that of its last committed epoch, and
    /// that committing one replica leaves the others' checkpoints alone.</summary>
    [Fact]
    public async Task A_commit_replaces_its_replica_checkpoint_with_that_of_the_new_epoch()
    {
        var experiment = await CreateExperimentAsync(replicas: 3);
        await CommitAllAsync(TestData.Group(experiment, 0, [0, 1]));

        await CommitAllAsync(TestData.Group(experiment, 1, [1]));
        await CommitAllAsync(TestData.Group(experiment, 2, [1]));

        var latest = await Store.GetCheckpointAsync(experiment.Id, 1);
        Assert.Equal((1, 2), (latest!.Replica, latest.Epoch));
        Assert.Equal(TestData.Checkpoint(1, 2), latest.State.ToArray());
        var other = await Store.GetCheckpointAsync(experiment.Id, 0);
        Assert.Equal(TestData.Checkpoint(0, 0), other!.State.ToArray());
        Assert.Null(await Store.GetCheckpointAsync(experiment.Id, 2));
    }

    /// <summary>Proves the completed epochs are listed by replica index, -1 where nothing is
    /// committed, and read one replica at a time alike.</summary>
    [Fact]
    public async Task Completed_epochs_are_listed_by_replica_with_minus_one_for_none()
    {
        var experiment = await CreateExperimentAsync(replicas: 4, epochs: 3);
        await CommitThroughAsync(experiment, 3, [3]);
        await CommitThroughAsync(experiment, 2, [0]);
        await CommitThroughAsync(experiment, 0, [2]);

        Assert.Equal([2, -1, 0, 3], await Store.ListCompletedEpochsAsync(experiment.Id));
        int[] each = await Task.WhenAll(Enumerable.Range(0, 4).Select(replica => Store.GetCompletedEpochAsync(experiment.Id, replica)));
        Assert.Equal([2, -1, 0, 3], each);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetCompletedEpochAsync(experiment.Id, 4));
    }

    /// <summary>Proves that re-committing committed epochs (a lost reply retried, a duplicate
    /// activation) reports AlreadyCommitted and changes no stored bit, even when its payload differs.</summary>
    [Fact]
    public async Task Committing_an_epoch_again_reports_AlreadyCommitted_and_leaves_every_row_bit_for_bit()
    {
        var experiment = await CreateExperimentAsync(replicas: 2);
        await CommitThroughAsync(experiment, 1);
        string before = await ContentsAsync();
        var retried = new[] { TestData.Commit(experiment, 0, 0), TestData.Commit(experiment, 1, 1), TestData.Commit(experiment, 0, 1) }
            .Select(c => c with
            {
                Checkpoint = new byte[] { 9, 9, 9 },
                Snapshots = [.. c.Snapshots.Select(s => s with { Weights = new float[experiment.MatrixSize * experiment.MatrixSize], Invariants = [42.0] })],
                Metrics = c.Metrics with { TrainLoss = 42.0 },
            })
            .ToList();

        var outcomes = await Store.CommitEpochsAsync(retried);

        Assert.Equal(Enumerable.Repeat(CommitOutcome.AlreadyCommitted, 3), outcomes);
        Assert.Equal(before, await ContentsAsync());
    }

    /// <summary>Proves that a commit whose previous epoch is not committed reports OutOfOrder and
    /// writes nothing, whatever the replica had committed.</summary>
    [Theory]
    [InlineData(-1, 1)]
    [InlineData(-1, 3)]
    [InlineData(0, 2)]
    [InlineData(1, 3)]
    public async Task A_commit_that_skips_an_epoch_reports_OutOfOrder_and_writes_nothing(int committedBefore, int epoch)
    {
        var experiment = await CreateExperimentAsync(replicas: 2, epochs: 3);
        await CommitThroughAsync(experiment, committedBefore);
        string before = await ContentsAsync();

        var outcomes = await Store.CommitEpochsAsync([TestData.Commit(experiment, 1, epoch)]);

        Assert.Equal([CommitOutcome.OutOfOrder], outcomes);
        Assert.Equal(before, await ContentsAsync());
    }

    /// <summary>Proves that a group may carry several epochs of one replica in a row: each commit is
    /// judged against the progress left by the commits before it in the group.</summary>
    [Fact]
    public async Task Consecutive_epochs_of_one_replica_commit_in_one_group()
    {
        var experiment = await CreateExperimentAsync(replicas: 3, epochs: 3);
        ReplicaEpochCommit[] group =
        [
            TestData.Commit(experiment, 0, 0), TestData.Commit(experiment, 0, 1), TestData.Commit(experiment, 2, 0),
            TestData.Commit(experiment, 0, 2), TestData.Commit(experiment, 2, 1),
        ];

        Assert.Equal(Enumerable.Repeat(CommitOutcome.Committed, 5), await Store.CommitEpochsAsync(group));

        Assert.Equal([2, -1, 1], await Store.ListCompletedEpochsAsync(experiment.Id));
        Assert.Equal(TestData.Checkpoint(0, 2), (await Store.GetCheckpointAsync(experiment.Id, 0))!.State.ToArray());
        Assert.Equal(3 + 2, (await Store.ReadMetricsAsync(experiment.Id)).Count);
        Assert.Equal(2 * 5, await Store.ReadWeightsAsync(experiment.Id).CountAsync());
    }

    /// <summary>Proves that commits are taken in list order: an epoch listed before its
    /// predecessor is out of order even though the predecessor follows in the same group, and a
    /// duplicate later in the group finds the epoch already committed.</summary>
    [Fact]
    public async Task A_group_reports_each_outcome_in_list_order_and_writes_only_what_it_commits()
    {
        var experiment = await CreateExperimentAsync(replicas: 4, epochs: 3);
        await CommitAllAsync(TestData.Group(experiment, 0, [0, 1]));
        ReplicaEpochCommit[] group =
        [
            TestData.Commit(experiment, 0, 1),
            TestData.Commit(experiment, 1, 0),
            TestData.Commit(experiment, 2, 1),
            TestData.Commit(experiment, 2, 0),
            TestData.Commit(experiment, 0, 1),
            TestData.Commit(experiment, 3, 2),
        ];

        var outcomes = await Store.CommitEpochsAsync(group);

        Assert.Equal(
            [CommitOutcome.Committed, CommitOutcome.AlreadyCommitted, CommitOutcome.OutOfOrder, CommitOutcome.Committed, CommitOutcome.AlreadyCommitted, CommitOutcome.OutOfOrder],
            outcomes);
        Assert.Equal([1, 0, 0, -1], await Store.ListCompletedEpochsAsync(experiment.Id));
        Assert.Equal([(0, 0), (0, 1), (0, 2), (1, 0)], (await Store.ReadMetricsAsync(experiment.Id)).Select(m => (m.Epoch, m.Replica)));
        Assert.Empty(await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 2)));
    }

    /// <summary>Proves that one group may hold replicas of several experiments.</summary>
    [Fact]
    public async Task A_group_may_hold_commits_of_several_experiments()
    {
        var first = await CreateExperimentAsync("first", replicas: 2);
        var second = await CreateExperimentAsync("second", replicas: 3, layers: 1, matrixSize: 2);

        await CommitAllAsync([.. TestData.Group(first, 0), .. TestData.Group(second, 0)]);

        Assert.Equal([0, 0], await Store.ListCompletedEpochsAsync(first.Id));
        Assert.Equal([0, 0, 0], await Store.ListCompletedEpochsAsync(second.Id));
        Assert.Equal(3, (await ReadEnsembleAsync(new EnsembleKey(second.Id, 1, 0))).Count);
    }

    /// <summary>Proves that an empty group is accepted and writes nothing.</summary>
    [Fact]
    public async Task An_empty_group_reports_nothing_and_writes_nothing()
    {
        await CreateExperimentAsync();
        string before = await ContentsAsync();

        Assert.Empty(await Store.CommitEpochsAsync([]));

        Assert.Equal(before, await ContentsAsync());
    }

    public static TheoryData<string, Func<ExperimentRecord, ReplicaEpochCommit, ReplicaEpochCommit>> MalformedCommits() => new()
    {
        { "null commit", (e, c) => null! },
        { "no experiment id", (e, c) => c with { ExperimentId = " " } },
        { "null snapshot list", (e, c) => c with { Snapshots = null! } },
        { "null metrics", (e, c) => c with { Metrics = null! } },
        { "negative replica", (e, c) => Renumber(c, replica: -1) },
        { "replica R", (e, c) => Renumber(c, replica: e.Replicas) },
        { "negative epoch", (e, c) => Renumber(c, epoch: -1) },
        { "epoch beyond E", (e, c) => Renumber(c, epoch: e.Epochs + 1) },
        { "empty checkpoint", (e, c) => c with { Checkpoint = ReadOnlyMemory<byte>.Empty } },
        { "null snapshot", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), null!] } },
        { "snapshot of another replica", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Replica = 0 }] } },
        { "snapshot of another epoch", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Epoch = 1 }] } },
        { "layer 0", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Layer = 0 }] } },
        { "layer beyond L", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Layer = e.Layers + 1 }] } },
        { "snapshot missing", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1)] } },
        { "snapshot twice", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[1]] } },
        { "snapshot too many", (e, c) => c with { Snapshots = [.. c.Snapshots, c.Snapshots[0]] } },
        { "weights not n x n", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Weights = new float[e.MatrixSize] }] } },
        { "no invariants, not diverged", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Invariants = null }] } },
        { "invariants, diverged", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Diverged = true }] } },
        { "empty invariant row", (e, c) => c with { Snapshots = [.. c.Snapshots.Skip(1), c.Snapshots[0] with { Invariants = [] }] } },
        { "metrics of another replica", (e, c) => c with { Metrics = c.Metrics with { Replica = 0 } } },
        { "metrics of another epoch", (e, c) => c with { Metrics = c.Metrics with { Epoch = 1 } } },
    };

    /// <summary>The commit moved whole to another replica or epoch, its snapshots and metrics with it.</summary>
    private static ReplicaEpochCommit Renumber(ReplicaEpochCommit commit, int? replica = null, int? epoch = null)
    {
        int r = replica ?? commit.Replica, e = epoch ?? commit.Epoch;
        return commit with
        {
            Replica = r,
            Epoch = e,
            Snapshots = [.. commit.Snapshots.Select(s => s with { Replica = r, Epoch = e })],
            Metrics = commit.Metrics with { Replica = r, Epoch = e },
        };
    }

    /// <summary>Proves that one malformed commit, even last in its group, refuses the whole group
    /// before anything is written, with an error that names the group argument and the commit.</summary>
    [Theory]
    [MemberData(nameof(MalformedCommits))]
    public async Task A_malformed_commit_refuses_its_whole_group_and_nothing_is_written(string problem, Func<ExperimentRecord, ReplicaEpochCommit, ReplicaEpochCommit> spoil)
    {
        var experiment = await CreateExperimentAsync(replicas: 4, epochs: 3);
        var group = TestData.Group(experiment, 0, [0, 1]);
        group.Add(spoil(experiment, TestData.Commit(experiment, 2, 0)));
        string before = await ContentsAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CommitEpochsAsync(group));

        Assert.True(error.ParamName == "commits", $"{problem}: the error names '{error.ParamName}'.");
        Assert.StartsWith("Commit 2 of the group", error.Message);
        Assert.Equal(before, await ContentsAsync());
    }

    /// <summary>Proves that a commit naming an unknown experiment, even last in its group, refuses
    /// the whole group before anything is written.</summary>
    [Fact]
    public async Task A_commit_of_an_unknown_experiment_refuses_its_whole_group_and_nothing_is_written()
    {
        var experiment = await CreateExperimentAsync();
        var stranger = TestData.Commit(TestData.Experiment("stranger", CreatedAt), 0, 0);
        string before = await ContentsAsync();

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => Store.CommitEpochsAsync([.. TestData.Group(experiment, 0), stranger]));

        Assert.Contains("stranger", error.Message);
        Assert.Equal(before, await ContentsAsync());
    }

    /// <summary>Proves that raw weights may be left out (retention) while the invariants are
    /// always kept, and that the weight export skips the snapshots without weights.</summary>
    [Fact]
    public async Task Weights_not_kept_read_back_as_null_while_invariants_are_always_kept()
    {
        var experiment = await CreateExperimentAsync(replicas: 2);
        await CommitAllAsync(TestData.Group(experiment, 0, keepWeights: false));
        await CommitAllAsync(TestData.Group(experiment, 1, keepWeights: true));

        var withoutWeights = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));

        Assert.All(withoutWeights, s => Assert.Null(s.Weights));
        Assert.All(withoutWeights, s => Assert.Equal(TestData.Bits(TestData.Invariants(s.Replica, 1, 0)), TestData.Bits(s.Invariants)));
        Assert.All(await Store.ReadWeightsAsync(experiment.Id).ToListAsync(), s => Assert.Equal(1, s.Epoch));
    }

    /// <summary>Proves a diverged replica's snapshot and metrics keep their flag, NaN weights and no invariants.</summary>
    [Fact]
    public async Task A_diverged_replica_keeps_its_flag_and_has_no_invariants()
    {
        var experiment = await CreateExperimentAsync(replicas: 2, layers: 1);
        var diverged = TestData.Commit(experiment, 1, 0) with
        {
            Snapshots = [new SnapshotRecord(1, 1, 0, Enumerable.Repeat(float.NaN, 9).ToArray(), null, Diverged: true)],
            Metrics = new ReplicaMetrics(1, 0, double.NaN, null, Diverged: true),
        };

        await CommitAllAsync([TestData.Commit(experiment, 0, 0), diverged]);

        var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));
        TestData.AssertSame(diverged.Snapshots[0], stored[1]);
        TestData.AssertSame(diverged.Metrics, (await Store.ReadMetricsAsync(experiment.Id))[1]);
    }

    /// <summary>Proves weights, invariants and checkpoints keep every bit (NaN payloads, -0.0,
    /// subnormals, infinities) and metrics every value.</summary>
    [Fact]
    public async Task Extreme_floats_round_trip_bit_for_bit()
    {
        var experiment = await CreateExperimentAsync(replicas: 14, layers: 1, matrixSize: 4);
        var singles = TestData.ExtremeSingles();
        var doubles = TestData.ExtremeDoubles();
        var group = Enumerable.Range(0, 14).Select(r => new ReplicaEpochCommit(
            experiment.Id,
            r,
            0,
            new byte[] { 0, 255, (byte)r },
            [new SnapshotRecord(r, 1, 0, Enumerable.Range(0, 16).Select(i => singles[(r + i) % singles.Length]).ToArray(), [.. doubles.Skip(r), .. doubles.Take(r)], false)],
            new ReplicaMetrics(r, 0, doubles[r], r % 2 == 0 ? doubles[^(r + 1)] : null, false))).ToList();

        await CommitAllAsync(group);

        var stored = await ReadEnsembleAsync(new EnsembleKey(experiment.Id, 1, 0));
        foreach (var (want, got) in group.Select(c => c.Snapshots[0]).Zip(stored))
        {
            TestData.AssertSame(want, got);
        }
        foreach (var (want, got) in group.Select(c => c.Metrics).Zip(await Store.ReadMetricsAsync(experiment.Id)))
        {
            TestData.AssertSame(want, got);
        }
        Assert.Equal([0, 255, 13], (await Store.GetCheckpointAsync(experiment.Id, 13))!.State.ToArray());
    }
}
