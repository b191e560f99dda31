namespace OrleansPigmm.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public async Task<WorkLease?> TryClaimAsync(string owner, TimeSpan duration, string? experimentId = null, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckLeaseRequest(owner, duration);
        long? onlyExperiment = experimentId is null ? null : (await KnownAsync(experimentId, cancellationToken).ConfigureAwait(false)).Number;
        return await WriteAsync(session =>
        {
            long now = NowMicroseconds();
            long number;
            string id;
            ReplicaBatch batch;
            int completedEpochs;
            // Inside the write transaction no one else can claim between this pick and the update.
            using (var reader = session.Command("""
                SELECT b.experiment, e.id, b.batch, b.first_replica, b.replica_count, b.completed_epochs
                FROM batches AS b JOIN experiments AS e ON e.number = b.experiment
                WHERE b.completed_epochs < e.epochs
                  AND (b.lease_expires_at_us IS NULL OR b.lease_expires_at_us <= $now)
                  AND ($experiment IS NULL OR b.experiment = $experiment)
                ORDER BY b.experiment, b.batch
                LIMIT 1
                """).With("$now", now).With("$experiment", onlyExperiment).ExecuteReader())
            {
                if (!reader.Read())
                {
                    return null;
                }
                (number, id) = (reader.GetInt64(0), reader.GetString(1));
                batch = new ReplicaBatch(reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
                completedEpochs = reader.GetInt32(5);
            }
            var token = Guid.NewGuid();
            long expires = now + StoredTime.Microseconds(duration);
            session.Command("""
                UPDATE batches SET owner = $owner, lease_token = $token, lease_expires_at_us = $expires
                WHERE experiment = $experiment AND batch = $batch
                """).With("$owner", owner).With("$token", token.ToByteArray()).With("$expires", expires)
                .With("$experiment", number).With("$batch", batch.Batch).ExecuteNonQuery();
            var checkpoint = session.Command("SELECT state FROM checkpoints WHERE experiment = $experiment AND batch = $batch")
                .With("$experiment", number).With("$batch", batch.Batch).ExecuteScalar() as byte[];
            RecordChange(session);
            return new WorkLease(id, batch, owner, token, StoredTime.FromMicroseconds(expires), completedEpochs, checkpoint ?? []);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<WorkLease?> RenewAsync(WorkLease lease, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        StoreArguments.CheckLeaseRequest(lease.Owner, duration);
        var known = await KnownAsync(lease.ExperimentId, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(session =>
        {
            long now = NowMicroseconds();
            long expires = now + StoredTime.Microseconds(duration);
            int renewed = session.Command("""
                UPDATE batches SET lease_expires_at_us = $expires
                WHERE experiment = $experiment AND batch = $batch AND lease_token = $token AND lease_expires_at_us > $now
                """).With("$expires", expires).With("$now", now).With("$experiment", known.Number).With("$batch", lease.Batch.Batch)
                .With("$token", lease.Token.ToByteArray()).ExecuteNonQuery();
            if (renewed == 0)
            {
                return null;
            }
            RecordChange(session);
            return lease with { ExpiresAt = StoredTime.FromMicroseconds(expires) };
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(WorkLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var known = await KnownAsync(lease.ExperimentId, cancellationToken).ConfigureAwait(false);
        await WriteAsync(session =>
        {
            int released = session.Command("""
                UPDATE batches SET owner = NULL, lease_token = NULL, lease_expires_at_us = NULL
                WHERE experiment = $experiment AND batch = $batch AND lease_token = $token
                """).With("$experiment", known.Number).With("$batch", lease.Batch.Batch).With("$token", lease.Token.ToByteArray()).ExecuteNonQuery();
            if (released > 0)
            {
                RecordChange(session);
            }
            return released;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> CommitEpochAsync(WorkLease lease, EpochCommit commit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var known = await KnownAsync(lease.ExperimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckCommit(known.Record, lease, commit);
        // Encoded before the transaction, to hold the write lock no longer than the writes take.
        var snapshots = commit.Snapshots.Select(s => (
            Snapshot: s,
            Invariants: s.Invariants is null ? null : BlobEncoding.FromDoubles(s.Invariants),
            Weights: s.Weights is null ? null : BlobEncoding.FromSingles(s.Weights))).ToArray();
        var checkpoint = BlobEncoding.AsArray(commit.Checkpoint);
        var batch = lease.Batch;
        return await WriteAsync(session =>
        {
            int completedEpochs;
            using (var reader = session.Command("""
                SELECT completed_epochs, first_replica, replica_count, coalesce(lease_token = $token AND lease_expires_at_us > $now, 0)
                FROM batches WHERE experiment = $experiment AND batch = $batch
                """).With("$token", lease.Token.ToByteArray()).With("$now", NowMicroseconds())
                .With("$experiment", known.Number).With("$batch", batch.Batch).ExecuteReader())
            {
                if (!reader.Read())
                {
                    throw new ArgumentException($"Experiment '{known.Record.Id}' has no batch {batch.Batch}.", nameof(lease));
                }
                if (!reader.GetBoolean(3))
                {
                    return false;
                }
                if (reader.GetInt32(1) != batch.FirstReplica || reader.GetInt32(2) != batch.ReplicaCount)
                {
                    throw new ArgumentException($"The lease says batch {batch.Batch} of experiment '{known.Record.Id}' holds replicas from {batch.FirstReplica}, {batch.ReplicaCount} of them; the store says from {reader.GetInt32(1)}, {reader.GetInt32(2)}.", nameof(lease));
                }
                completedEpochs = reader.GetInt32(0);
            }
            if (commit.Epoch == completedEpochs)
            {
                return true;
            }
            if (commit.Epoch != completedEpochs + 1)
            {
                throw new ArgumentException($"Batch {batch.Batch} of experiment '{known.Record.Id}' has committed epochs up to {completedEpochs}; the next commit is epoch {completedEpochs + 1}, not {commit.Epoch}.", nameof(commit));
            }
            session.Command("UPDATE batches SET completed_epochs = $epoch WHERE experiment = $experiment AND batch = $batch")
                .With("$epoch", commit.Epoch).With("$experiment", known.Number).With("$batch", batch.Batch).ExecuteNonQuery();
            session.Command("""
                INSERT INTO checkpoints (experiment, batch, epoch, state) VALUES ($experiment, $batch, $epoch, $state)
                ON CONFLICT (experiment, batch) DO UPDATE SET epoch = excluded.epoch, state = excluded.state
                """).With("$experiment", known.Number).With("$batch", batch.Batch).With("$epoch", commit.Epoch).With("$state", checkpoint).ExecuteNonQuery();
            var insertSnapshot = session.Command("""
                INSERT OR IGNORE INTO snapshots (experiment, epoch, layer, replica, diverged, invariants, weights)
                VALUES ($experiment, $epoch, $layer, $replica, $diverged, $invariants, $weights)
                """).With("$experiment", known.Number).With("$epoch", commit.Epoch);
            foreach (var (snapshot, invariants, weights) in snapshots)
            {
                insertSnapshot.With("$layer", snapshot.Layer).With("$replica", snapshot.Replica).With("$diverged", snapshot.Diverged)
                    .With("$invariants", invariants).With("$weights", weights).ExecuteNonQuery();
            }
            var insertMetrics = session.Command("""
                INSERT OR IGNORE INTO metrics (experiment, epoch, replica, train_loss_bits, test_accuracy_bits, diverged)
                VALUES ($experiment, $epoch, $replica, $trainLoss, $testAccuracy, $diverged)
                """).With("$experiment", known.Number).With("$epoch", commit.Epoch);
            foreach (var metrics in commit.Metrics)
            {
                insertMetrics.With("$replica", metrics.Replica).With("$trainLoss", BitConverter.DoubleToInt64Bits(metrics.TrainLoss))
                    .With("$testAccuracy", metrics.TestAccuracy is { } accuracy ? BitConverter.DoubleToInt64Bits(accuracy) : null)
                    .With("$diverged", metrics.Diverged).ExecuteNonQuery();
            }
            RecordChange(session);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }
}
