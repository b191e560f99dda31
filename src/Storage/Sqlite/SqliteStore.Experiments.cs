using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string SelectExperimentSql = """
        SELECT number, id, spec_json, replicas, epochs, layers, matrix_size, created_at_us FROM experiments
        """;
    private const string ListExperimentsSql = SelectExperimentSql + " ORDER BY number";
    private const string FindExperimentSql = SelectExperimentSql + " WHERE id = $id";

    /// <inheritdoc />
    public async Task<bool> CreateExperimentAsync(ExperimentRecord experiment, IReadOnlyList<ReplicaBatch> batches, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckExperiment(experiment, batches);
        var (known, created) = await WriteAsync(session =>
        {
            if (FindExperiment(session, experiment.Id) is { } existing)
            {
                return (existing, false);
            }
            long number = (long)session.Command("""
                INSERT INTO experiments (id, spec_json, replicas, epochs, layers, matrix_size, created_at_us)
                VALUES ($id, $spec, $replicas, $epochs, $layers, $matrixSize, $createdAt)
                RETURNING number
                """)
                .With("$id", experiment.Id)
                .With("$spec", experiment.SpecJson)
                .With("$replicas", experiment.Replicas)
                .With("$epochs", experiment.Epochs)
                .With("$layers", experiment.Layers)
                .With("$matrixSize", experiment.MatrixSize)
                .With("$createdAt", StoredTime.ToMicroseconds(experiment.CreatedAt))
                .ExecuteScalar()!;
            var insertBatch = session.Command("""
                INSERT INTO batches (experiment, batch, first_replica, replica_count, completed_epochs)
                VALUES ($experiment, $batch, $first, $count, -1)
                """);
            foreach (var batch in batches)
            {
                insertBatch.With("$experiment", number).With("$batch", batch.Batch).With("$first", batch.FirstReplica).With("$count", batch.ReplicaCount).ExecuteNonQuery();
            }
            RecordChange(session);
            return (new KnownExperiment(number, experiment with { CreatedAt = StoredTime.FromMicroseconds(StoredTime.ToMicroseconds(experiment.CreatedAt)) }), true);
        }, cancellationToken).ConfigureAwait(false);
        experiments.TryAdd(known.Record.Id, known);
        return created;
    }

    /// <inheritdoc />
    public async Task<ExperimentRecord?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        (await FindAsync(experimentId, cancellationToken).ConfigureAwait(false))?.Record;

    /// <inheritdoc />
    public Task<IReadOnlyList<ExperimentRecord>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<ExperimentRecord>>(session =>
        {
            using var reader = session.Command(ListExperimentsSql).ExecuteReader();
            var list = new List<ExperimentRecord>();
            while (reader.Read())
            {
                list.Add(ReadExperiment(reader).Record);
            }
            return list;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<BatchStatus>> ListBatchesAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await KnownAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<BatchStatus>>(session =>
        {
            using var reader = session.Command("""
                SELECT batch, first_replica, replica_count, completed_epochs,
                       iif(lease_expires_at_us > $now, owner, NULL), iif(lease_expires_at_us > $now, lease_expires_at_us, NULL)
                FROM batches WHERE experiment = $experiment ORDER BY batch
                """).With("$experiment", known.Number).With("$now", NowMicroseconds()).ExecuteReader();
            var list = new List<BatchStatus>();
            while (reader.Read())
            {
                list.Add(new BatchStatus(
                    new ReplicaBatch(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2)),
                    reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : StoredTime.FromMicroseconds(reader.GetInt64(5))));
            }
            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static KnownExperiment? FindExperiment(SqliteSession session, string experimentId)
    {
        using var reader = session.Command(FindExperimentSql).With("$id", experimentId).ExecuteReader();
        return reader.Read() ? ReadExperiment(reader) : null;
    }

    private static KnownExperiment ReadExperiment(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        new ExperimentRecord(
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt32(3),
            reader.GetInt32(4),
            reader.GetInt32(5),
            reader.GetInt32(6),
            StoredTime.FromMicroseconds(reader.GetInt64(7))));
}
