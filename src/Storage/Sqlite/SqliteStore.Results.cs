using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotRecord> ReadSnapshotsAsync(EnsembleKey ensemble, int firstReplica, int replicaCount, bool includeWeights, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentOutOfRangeException.ThrowIfNegative(firstReplica);
        ArgumentOutOfRangeException.ThrowIfNegative(replicaCount);
        var known = await experiments.GetAsync(ensemble.ExperimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckEnsemble(known.Record, ensemble);
        var rows = StreamAsync(session => QueryEnsemble(session, known.Number, ensemble, firstReplica, replicaCount, includeWeights),
            includeWeights ? RowsPerChunk(known.Record) : RowsPerChunkWithoutWeights, cancellationToken);
        await foreach (var snapshot in rows.ConfigureAwait(false))
        {
            yield return snapshot;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SnapshotRecord> ReadWeightsAsync(string experimentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        await foreach (var snapshot in StreamAsync(session => QueryWeights(session, known), RowsPerChunk(known.Record), cancellationToken).ConfigureAwait(false))
        {
            yield return snapshot;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ReplicaMetrics>> ReadMetricsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<ReplicaMetrics>>(session =>
        {
            using var reader = session.Command("""
                SELECT replica, epoch, train_loss_bits, test_accuracy_bits, diverged FROM metrics
                WHERE experiment = $experiment ORDER BY epoch, replica
                """).With("$experiment", known.Number).ExecuteReader();
            var list = new List<ReplicaMetrics>();
            while (reader.Read())
            {
                list.Add(new ReplicaMetrics(
                    reader.GetInt32(0),
                    reader.GetInt32(1),
                    BitConverter.Int64BitsToDouble(reader.GetInt64(2)),
                    reader.IsDBNull(3) ? null : BitConverter.Int64BitsToDouble(reader.GetInt64(3)),
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
        return await WriteAsync(session =>
        {
            using (var reader = session.Command("""
                SELECT samples, diverged, fit_json FROM fits WHERE experiment = $experiment AND layer = $layer AND epoch = $epoch
                """).With("$experiment", known.Number).With("$layer", fit.Key.Layer).With("$epoch", fit.Key.Epoch).ExecuteReader())
            {
                if (reader.Read())
                {
                    var stored = new FitRecord(fit.Key, reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2));
                    if (stored.Folded > fit.Folded)
                    {
                        return false;
                    }
                    if (stored == fit)
                    {
                        // Published again as it stands (a retry): nothing to write, nothing changed.
                        return true;
                    }
                }
            }
            // The version is counted first, so that the fit is stamped with the one its write moves the store to.
            RecordChange(session);
            session.Command("""
                INSERT INTO fits (experiment, layer, epoch, samples, diverged, fit_json, changed_version)
                VALUES ($experiment, $layer, $epoch, $samples, $diverged, $json, (SELECT change_version FROM store_state))
                ON CONFLICT (experiment, layer, epoch) DO UPDATE
                SET samples = excluded.samples, diverged = excluded.diverged, fit_json = excluded.fit_json, changed_version = excluded.changed_version
                """).With("$experiment", known.Number).With("$layer", fit.Key.Layer).With("$epoch", fit.Key.Epoch)
                .With("$samples", fit.Samples).With("$diverged", fit.Diverged).With("$json", fit.FitJson).ExecuteNonQuery();
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FitRecord>> ListFitsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<FitRecord>>(session =>
        {
            using var reader = session.Command("""
                SELECT layer, epoch, samples, diverged, fit_json FROM fits WHERE experiment = $experiment ORDER BY layer, epoch
                """).With("$experiment", known.Number).ExecuteReader();
            var list = new List<FitRecord>();
            while (reader.Read())
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
        return await ReadAsync<IReadOnlyList<PublishedFit>>(session =>
        {
            using var reader = session.Command("""
                SELECT layer, epoch, samples, diverged, fit_json, changed_version FROM fits
                WHERE experiment = $experiment AND changed_version > $after ORDER BY changed_version, layer, epoch
                """).With("$experiment", known.Number).With("$after", afterVersion).ExecuteReader();
            var list = new List<PublishedFit>();
            while (reader.Read())
            {
                var fit = new FitRecord(new EnsembleKey(known.Record.Id, reader.GetInt32(0), reader.GetInt32(1)), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4));
                list.Add(new PublishedFit(fit, reader.GetInt64(5)));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<long> GetChangeVersionAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(session => (long)session.Command("SELECT change_version FROM store_state").ExecuteScalar()!, cancellationToken);

    /// <summary>Rows per streamed chunk when weights are read: about <see cref="BytesPerChunk"/> of them.</summary>
    private static int RowsPerChunk(ExperimentRecord experiment) =>
        (int)Math.Clamp(BytesPerChunk / (4L * experiment.MatrixSize * experiment.MatrixSize), 1, RowsPerChunkWithoutWeights);

    private static IEnumerable<SnapshotRecord> QueryEnsemble(SqliteSession session, long experiment, EnsembleKey ensemble, int firstReplica, int replicaCount, bool includeWeights)
    {
        using var reader = session.Command("""
            SELECT replica, diverged, invariants, iif($includeWeights, weights, NULL) FROM snapshots
            WHERE experiment = $experiment AND epoch = $epoch AND layer = $layer AND replica >= $first AND replica < $end
            ORDER BY replica
            """).With("$includeWeights", includeWeights).With("$experiment", experiment).With("$epoch", ensemble.Epoch).With("$layer", ensemble.Layer)
            .With("$first", firstReplica).With("$end", (long)firstReplica + replicaCount).ExecuteReader();
        while (reader.Read())
        {
            yield return ReadSnapshot(reader, reader.GetInt32(0), ensemble.Layer, ensemble.Epoch);
        }
    }

    /// <summary>Kept weights in (replica, epoch, layer) order, by one lookup per key: the table is
    /// ordered for ensembles, and sorting a whole experiment's weights would spill to disk.</summary>
    private static IEnumerable<SnapshotRecord> QueryWeights(SqliteSession session, KnownExperiment known)
    {
        var lookup = session.Command("""
            SELECT replica, diverged, invariants, weights FROM snapshots
            WHERE experiment = $experiment AND epoch = $epoch AND layer = $layer AND replica = $replica AND weights IS NOT NULL
            """).With("$experiment", known.Number);
        var experiment = known.Record;
        for (int replica = 0; replica < experiment.Replicas; replica++)
        {
            for (int epoch = 0; epoch <= experiment.Epochs; epoch++)
            {
                for (int layer = 1; layer <= experiment.Layers; layer++)
                {
                    using var reader = lookup.With("$epoch", epoch).With("$layer", layer).With("$replica", replica).ExecuteReader();
                    if (reader.Read())
                    {
                        yield return ReadSnapshot(reader, replica, layer, epoch);
                    }
                }
            }
        }
    }

    /// <summary>A snapshot from the columns (replica, diverged, invariants, weights).</summary>
    private static SnapshotRecord ReadSnapshot(SqliteDataReader reader, int replica, int layer, int epoch) => new(
        replica,
        layer,
        epoch,
        reader.IsDBNull(3) ? null : BlobEncoding.ToSingles(reader.GetFieldValue<byte[]>(3)),
        reader.IsDBNull(2) ? null : BlobEncoding.ToDoubles(reader.GetFieldValue<byte[]>(2)),
        reader.GetBoolean(1));
}
