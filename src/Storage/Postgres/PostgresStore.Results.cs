using System.Runtime.CompilerServices;
using Npgsql;

namespace OrleansPigmm.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotRecord> ReadSnapshotsAsync(EnsembleKey ensemble, int firstReplica, int replicaCount, bool includeWeights, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentOutOfRangeException.ThrowIfNegative(firstReplica);
        ArgumentOutOfRangeException.ThrowIfNegative(replicaCount);
        var known = await experiments.GetAsync(ensemble.ExperimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckEnsemble(known.Record, ensemble);
        var rows = StreamAsync(
            $"""
            SELECT replica, layer, epoch, diverged, invariants, {(includeWeights ? "weights" : "NULL::bytea")} FROM snapshots
            WHERE experiment = $1 AND epoch = $2 AND layer = $3 AND replica >= $4 AND replica < $5
            ORDER BY replica
            """,
            parameters => AddValues(parameters, known.Number, ensemble.Epoch, ensemble.Layer, firstReplica, (long)firstReplica + replicaCount),
            ReadSnapshot,
            cancellationToken);
        await foreach (var snapshot in rows.ConfigureAwait(false))
        {
            yield return snapshot;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotRecord> ReadWeightsAsync(string experimentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        // Weights are stored out of line, so the sort moves only keys and pointers to them.
        var rows = StreamAsync("""
            SELECT replica, layer, epoch, diverged, invariants, weights FROM snapshots
            WHERE experiment = $1 AND weights IS NOT NULL
            ORDER BY replica, epoch, layer
            """, parameters => AddValues(parameters, known.Number), ReadSnapshot, cancellationToken);
        await foreach (var snapshot in rows.ConfigureAwait(false))
        {
            yield return snapshot;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReplicaMetrics>> ReadMetricsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<ReplicaMetrics>>(async connection =>
        {
            await using var command = Command(connection, """
                SELECT replica, epoch, train_loss, test_accuracy, diverged FROM metrics WHERE experiment = $1 ORDER BY epoch, replica
                """, known.Number);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<ReplicaMetrics>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new ReplicaMetrics(
                    reader.GetInt32(0),
                    reader.GetInt32(1),
                    reader.GetDouble(2),
                    reader.IsDBNull(3) ? null : reader.GetDouble(3),
                    reader.GetBoolean(4)));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> PublishFitAsync(FitRecord fit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(fit.Key, nameof(fit));
        var known = await experiments.GetAsync(fit.Key.ExperimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckFit(known.Record, fit);
        return await WriteAsync(async connection =>
        {
            // The update happens only if the stored fit accounts for no more replicas and differs;
            // the conflicting row is locked either way, so the follow-up read sees it as it stays.
            // The fit is stamped with the version this transaction's change count moves the store
            // to: the store_state row stays locked until the commit, so versions follow commit order.
            await using var upsert = Command(connection, """
                INSERT INTO fits AS f (experiment, layer, epoch, samples, diverged, fit_json, changed_version)
                VALUES ($1, $2, $3, $4, $5, $6, (SELECT change_version + 1 FROM store_state FOR UPDATE))
                ON CONFLICT (experiment, layer, epoch) DO UPDATE
                SET samples = excluded.samples, diverged = excluded.diverged, fit_json = excluded.fit_json, changed_version = excluded.changed_version
                WHERE f.samples + f.diverged <= excluded.samples + excluded.diverged
                  AND (f.samples, f.diverged, f.fit_json) IS DISTINCT FROM (excluded.samples, excluded.diverged, excluded.fit_json)
                """, known.Number, fit.Key.Layer, fit.Key.Epoch, fit.Samples, fit.Diverged, fit.FitJson);
            if (await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
            {
                return (true, true);
            }
            await using var stored = Command(connection, "SELECT samples + diverged FROM fits WHERE experiment = $1 AND layer = $2 AND epoch = $3",
                known.Number, fit.Key.Layer, fit.Key.Epoch);
            // Not written: either the stored fit accounts for more replicas, or it is this one (a retry).
            long storedFolded = (long)(await stored.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            return (storedFolded <= fit.Folded, false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FitRecord>> ListFitsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<FitRecord>>(async connection =>
        {
            await using var command = Command(connection, "SELECT layer, epoch, samples, diverged, fit_json FROM fits WHERE experiment = $1 ORDER BY layer, epoch", known.Number);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<FitRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new FitRecord(new EnsembleKey(known.Record.Id, reader.GetInt32(0), reader.GetInt32(1)), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4)));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PublishedFit>> ListFitsChangedAfterAsync(string experimentId, long afterVersion, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<PublishedFit>>(async connection =>
        {
            await using var command = Command(connection, """
                SELECT layer, epoch, samples, diverged, fit_json, changed_version FROM fits
                WHERE experiment = $1 AND changed_version > $2 ORDER BY changed_version, layer, epoch
                """, known.Number, afterVersion);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<PublishedFit>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var fit = new FitRecord(new EnsembleKey(known.Record.Id, reader.GetInt32(0), reader.GetInt32(1)), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4));
                list.Add(new PublishedFit(fit, reader.GetInt64(5)));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<long> GetChangeVersionAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, "SELECT change_version FROM store_state");
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    private static void AddValues(NpgsqlParameterCollection parameters, params object[] values)
    {
        foreach (var value in values)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    /// <summary>A snapshot from the columns (replica, layer, epoch, diverged, invariants, weights).</summary>
    private static SnapshotRecord ReadSnapshot(NpgsqlDataReader reader) => new(
        reader.GetInt32(0),
        reader.GetInt32(1),
        reader.GetInt32(2),
        reader.IsDBNull(5) ? null : BlobEncoding.ToSingles(reader.GetFieldValue<byte[]>(5)),
        reader.IsDBNull(4) ? null : BlobEncoding.ToDoubles(reader.GetFieldValue<byte[]>(4)),
        reader.GetBoolean(3));
}
