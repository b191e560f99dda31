using Npgsql;
using NpgsqlTypes;

namespace OrleansPigmm.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>This connection's staging tables for the blobs of a group: temporary (session
    /// only, never logged) and emptied at every commit.</summary>
    private const string StagingTablesSql = """
        CREATE TEMPORARY TABLE IF NOT EXISTS staged_checkpoints (
            experiment bigint, replica integer, epoch integer, state bytea
        ) ON COMMIT DELETE ROWS;
        CREATE TEMPORARY TABLE IF NOT EXISTS staged_snapshots (
            experiment bigint, epoch integer, layer integer, replica integer, diverged boolean, invariants bytea, weights bytea
        ) ON COMMIT DELETE ROWS;
        """;

    /// <summary>One commit of a group, checked, with its experiment's row number.</summary>
    private sealed record CheckedCommit(long Experiment, ReplicaEpochCommit Commit);

    /// <inheritdoc />
    public async Task<IReadOnlyList<CommitOutcome>> CommitEpochsAsync(IReadOnlyList<ReplicaEpochCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        // Every commit is checked before anything is written.
        var group = new CheckedCommit[commits.Count];
        for (int index = 0; index < commits.Count; index++)
        {
            var commit = commits[index];
            StoreArguments.CheckCommitFields(commit, index);
            var known = await experiments.GetAsync(commit.ExperimentId, cancellationToken).ConfigureAwait(false);
            StoreArguments.CheckCommit(known.Record, commit, index);
            group[index] = new CheckedCommit(known.Number, commit);
        }
        if (group.Length == 0)
        {
            return [];
        }
        return await WriteAsync(connection => WriteCommitsAsync(connection, group, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the group inside the open transaction. The progress rows of its replicas are locked
    /// first (in key order, so that concurrent groups never deadlock) and read: while they are
    /// locked no other transaction can move them, so the outcome of each commit follows from them
    /// in list order, exactly as an update "where completed_epochs = epoch - 1" per commit would
    /// decide it. Then what the committed ones write goes in: blobs by COPY, the rest by arrays.
    /// </summary>
    private static async Task WriteBlobAsync(NpgsqlBinaryImporter import, byte[]? blob, CancellationToken cancellationToken)
    {
        if (blob is null)
        {
            await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await import.WriteAsync(blob, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(IReadOnlyList<CommitOutcome>, bool)> WriteCommitsAsync(NpgsqlConnection connection, CheckedCommit[] group, CancellationToken cancellationToken)
    {
        var progress = await LockProgressAsync(connection, group, cancellationToken).ConfigureAwait(false);
        var outcomes = new CommitOutcome[group.Length];
        var written = new List<CheckedCommit>(group.Length);
        var lastCheckpoint = new Dictionary<(long, int), CheckedCommit>();
        for (int index = 0; index < group.Length; index++)
        {
            var item = group[index];
            var key = (item.Experiment, item.Commit.Replica);
            int completed = progress.GetValueOrDefault(key, -1);
            if (item.Commit.Epoch != completed + 1)
            {
                outcomes[index] = item.Commit.Epoch <= completed ? CommitOutcome.AlreadyCommitted : CommitOutcome.OutOfOrder;
                continue;
            }
            progress[key] = item.Commit.Epoch;
            lastCheckpoint[key] = item;
            written.Add(item);
            outcomes[index] = CommitOutcome.Committed;
        }
        if (written.Count == 0)
        {
            return (outcomes, false);
        }

        // The blobs go in by binary COPY into this connection's staging tables (temporary, never
        // logged, emptied at commit), then into the store's tables by one statement each, which
        // keeps an existing snapshot key as it is: array parameters of many large blobs took
        // twice as long.
        var advanced = lastCheckpoint.Values.ToList();
        await using (var stage = new NpgsqlCommand(StagingTablesSql, connection))
        {
            await stage.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY staged_checkpoints (experiment, replica, epoch, state) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in advanced)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(item.Experiment, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(item.Commit.Replica, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(item.Commit.Epoch, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await import.WriteAsync(item.Commit.Checkpoint, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            }
            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY staged_snapshots (experiment, epoch, layer, replica, diverged, invariants, weights) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in written)
            {
                foreach (var snapshot in item.Commit.Snapshots)
                {
                    await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(item.Experiment, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(snapshot.Epoch, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(snapshot.Layer, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(snapshot.Replica, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(snapshot.Diverged, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                    await WriteBlobAsync(import, snapshot.Invariants is { } invariants ? BlobEncoding.FromDoubles(invariants) : null, cancellationToken).ConfigureAwait(false);
                    await WriteBlobAsync(import, snapshot.Weights is { } weights ? BlobEncoding.FromSingles(weights) : null, cancellationToken).ConfigureAwait(false);
                }
            }
            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(BatchCommand("""
            UPDATE replicas AS r SET completed_epochs = k.epoch
            FROM unnest($1::bigint[], $2::integer[], $3::integer[]) AS k (experiment, replica, epoch)
            WHERE r.experiment = k.experiment AND r.replica = k.replica
            """,
            Array(advanced, c => c.Experiment), Array(advanced, c => c.Commit.Replica), Array(advanced, c => c.Commit.Epoch)));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO checkpoints (experiment, replica, epoch, state) SELECT experiment, replica, epoch, state FROM staged_checkpoints
            ON CONFLICT (experiment, replica) DO UPDATE SET epoch = excluded.epoch, state = excluded.state
            """));
        // An existing key is kept as it is: writing a snapshot twice is a no-op.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO snapshots (experiment, epoch, layer, replica, diverged, invariants, weights)
            SELECT experiment, epoch, layer, replica, diverged, invariants, weights FROM staged_snapshots
            ON CONFLICT DO NOTHING
            """));
        batch.BatchCommands.Add(BatchCommand("""
            INSERT INTO metrics (experiment, epoch, replica, train_loss, test_accuracy, diverged)
            SELECT * FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::double precision[], $5::double precision[], $6::boolean[])
            ON CONFLICT DO NOTHING
            """,
            Array(written, c => c.Experiment), Array(written, c => c.Commit.Epoch), Array(written, c => c.Commit.Replica),
            Array(written, c => c.Commit.Metrics.TrainLoss), Array(written, c => c.Commit.Metrics.TestAccuracy),
            Array(written, c => c.Commit.Metrics.Diverged)));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (outcomes, true);
    }

    /// <summary>Locks the progress rows of the group's replicas, in key order, and reads them.</summary>
    private static async Task<Dictionary<(long Experiment, int Replica), int>> LockProgressAsync(NpgsqlConnection connection, CheckedCommit[] group, CancellationToken cancellationToken)
    {
        var keys = group.Select(c => (c.Experiment, c.Commit.Replica)).Distinct().ToList();
        await using var command = new NpgsqlCommand("""
            SELECT experiment, replica, completed_epochs FROM replicas
            WHERE (experiment, replica) IN (SELECT * FROM unnest($1::bigint[], $2::integer[]))
            ORDER BY experiment, replica
            FOR UPDATE
            """, connection);
        command.Parameters.Add(Parameter(Array(keys, k => k.Experiment)));
        command.Parameters.Add(Parameter(Array(keys, k => k.Replica)));
        var progress = new Dictionary<(long, int), int>(keys.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            progress[(reader.GetInt64(0), reader.GetInt32(1))] = reader.GetInt32(2);
        }
        return progress;
    }

    private static T[] Array<TItem, T>(IReadOnlyList<TItem> items, Func<TItem, T> value)
    {
        var array = new T[items.Count];
        for (int i = 0; i < array.Length; i++)
        {
            array[i] = value(items[i]);
        }
        return array;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object[] arrays)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var array in arrays)
        {
            command.Parameters.Add(Parameter(array));
        }
        return command;
    }

    private static NpgsqlParameter Parameter(object array) => array switch
    {
        byte[]?[] blobs => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = blobs },
        double?[] values => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, Value = values },
        _ => new NpgsqlParameter { Value = array },
    };
}
