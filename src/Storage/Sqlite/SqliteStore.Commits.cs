namespace OrleansPigmm.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>One commit of a group, checked and with its arrays encoded as stored, so that the
    /// write transaction holds the lock no longer than the writes take.</summary>
    private sealed record EncodedCommit(long Experiment, ReplicaEpochCommit Commit, byte[] Checkpoint, EncodedSnapshot[] Snapshots);

    private sealed record EncodedSnapshot(SnapshotRecord Snapshot, byte[]? Invariants, byte[]? Weights);

    /// <inheritdoc />
    public async Task<IReadOnlyList<CommitOutcome>> CommitEpochsAsync(IReadOnlyList<ReplicaEpochCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        // Every commit is checked before anything is written.
        var encoded = new EncodedCommit[commits.Count];
        for (int index = 0; index < commits.Count; index++)
        {
            var commit = commits[index];
            StoreArguments.CheckCommitFields(commit, index);
            var known = await experiments.GetAsync(commit.ExperimentId, cancellationToken).ConfigureAwait(false);
            StoreArguments.CheckCommit(known.Record, commit, index);
            encoded[index] = new EncodedCommit(
                known.Number,
                commit,
                BlobEncoding.AsArray(commit.Checkpoint),
                [.. commit.Snapshots.Select(s => new EncodedSnapshot(
                    s,
                    s.Invariants is null ? null : BlobEncoding.FromDoubles(s.Invariants),
                    s.Weights is null ? null : BlobEncoding.FromSingles(s.Weights)))]);
        }
        if (encoded.Length == 0)
        {
            return [];
        }
        return await WriteAsync(session => WriteCommits(session, encoded), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the commits in order inside the open transaction. Each statement is
    /// prepared once and run again with new values for every commit of the group.</summary>
    private static CommitOutcome[] WriteCommits(SqliteSession session, EncodedCommit[] commits)
    {
        // The progress row moves only from epoch - 1 to epoch, so the update itself decides the
        // outcome, and a later commit of the same replica in this group sees the earlier one.
        var advance = session.Command("""
            UPDATE replicas SET completed_epochs = $epoch
            WHERE experiment = $experiment AND replica = $replica AND completed_epochs = $epoch - 1
            """);
        var progress = session.Command("SELECT completed_epochs FROM replicas WHERE experiment = $experiment AND replica = $replica");
        var saveCheckpoint = session.Command("""
            INSERT INTO checkpoints (experiment, replica, epoch, state) VALUES ($experiment, $replica, $epoch, $state)
            ON CONFLICT (experiment, replica) DO UPDATE SET epoch = excluded.epoch, state = excluded.state
            """);
        var insertSnapshot = session.Command("""
            INSERT OR IGNORE INTO snapshots (experiment, epoch, layer, replica, diverged, invariants, weights)
            VALUES ($experiment, $epoch, $layer, $replica, $diverged, $invariants, $weights)
            """);
        var insertMetrics = session.Command("""
            INSERT OR IGNORE INTO metrics (experiment, epoch, replica, train_loss_bits, test_accuracy_bits, diverged)
            VALUES ($experiment, $epoch, $replica, $trainLoss, $testAccuracy, $diverged)
            """);

        var outcomes = new CommitOutcome[commits.Length];
        bool wrote = false;
        for (int index = 0; index < commits.Length; index++)
        {
            var (experiment, commit, checkpoint, snapshots) = commits[index];
            if (advance.With("$epoch", commit.Epoch).With("$experiment", experiment).With("$replica", commit.Replica).ExecuteNonQuery() == 0)
            {
                long completed = (long)progress.With("$experiment", experiment).With("$replica", commit.Replica).ExecuteScalar()!;
                outcomes[index] = commit.Epoch <= completed ? CommitOutcome.AlreadyCommitted : CommitOutcome.OutOfOrder;
                continue;
            }
            saveCheckpoint.With("$experiment", experiment).With("$replica", commit.Replica).With("$epoch", commit.Epoch).With("$state", checkpoint).ExecuteNonQuery();
            insertSnapshot.With("$experiment", experiment).With("$epoch", commit.Epoch).With("$replica", commit.Replica);
            foreach (var (snapshot, invariants, weights) in snapshots)
            {
                insertSnapshot.With("$layer", snapshot.Layer).With("$diverged", snapshot.Diverged)
                    .With("$invariants", invariants).With("$weights", weights).ExecuteNonQuery();
            }
            var metrics = commit.Metrics;
            insertMetrics.With("$experiment", experiment).With("$epoch", commit.Epoch).With("$replica", commit.Replica)
                .With("$trainLoss", BitConverter.DoubleToInt64Bits(metrics.TrainLoss))
                .With("$testAccuracy", metrics.TestAccuracy is { } accuracy ? BitConverter.DoubleToInt64Bits(accuracy) : null)
                .With("$diverged", metrics.Diverged).ExecuteNonQuery();
            outcomes[index] = CommitOutcome.Committed;
            wrote = true;
        }
        if (wrote)
        {
            RecordChange(session);
        }
        return outcomes;
    }
}
