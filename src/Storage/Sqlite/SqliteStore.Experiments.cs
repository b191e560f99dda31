using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string SelectExperimentSql = """
        SELECT number, id, spec_json, replicas, epochs, layers, matrix_size, created_at_us, lifecycle FROM experiments
        """;
    private const string ListExperimentsSql = SelectExperimentSql + " ORDER BY number";
    private const string FindExperimentSql = SelectExperimentSql + " WHERE id = $id";

    /// <inheritdoc />
    public async Task<bool> CreateExperimentAsync(ExperimentRecord experiment, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckExperiment(experiment);
        var (known, created) = await WriteAsync(session =>
        {
            if (FindExperiment(session, experiment.Id) is { } existing)
            {
                return (existing, false);
            }
            long number = (long)session.Command("""
                INSERT INTO experiments (id, spec_json, replicas, epochs, layers, matrix_size, created_at_us, lifecycle)
                VALUES ($id, $spec, $replicas, $epochs, $layers, $matrixSize, $createdAt, $lifecycle)
                RETURNING number
                """)
                .With("$id", experiment.Id)
                .With("$spec", experiment.SpecJson)
                .With("$replicas", experiment.Replicas)
                .With("$epochs", experiment.Epochs)
                .With("$layers", experiment.Layers)
                .With("$matrixSize", experiment.MatrixSize)
                .With("$createdAt", StoredTime.ToMicroseconds(experiment.CreatedAt))
                .With("$lifecycle", (int)ExperimentLifecycle.Running)
                .ExecuteScalar()!;
            var insertReplica = session.Command("INSERT INTO replicas (experiment, replica, completed_epochs) VALUES ($experiment, $replica, -1)")
                .With("$experiment", number);
            for (int replica = 0; replica < experiment.Replicas; replica++)
            {
                insertReplica.With("$replica", replica).ExecuteNonQuery();
            }
            RecordChange(session);
            var stored = experiment with
            {
                CreatedAt = StoredTime.Truncate(experiment.CreatedAt),
                Lifecycle = ExperimentLifecycle.Running,
            };
            return (new KnownExperiment(number, stored), true);
        }, cancellationToken).ConfigureAwait(false);
        experiments.Remember(known);
        return created;
    }

    /// <inheritdoc />
    public async Task<ExperimentRecord?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        (await experiments.LoadAsync(experimentId, cancellationToken).ConfigureAwait(false))?.Record;

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
    public async Task<bool> SetLifecycleAsync(string experimentId, ExperimentLifecycle lifecycle, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckLifecycle(lifecycle);
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(session =>
        {
            bool changed = session.Command("UPDATE experiments SET lifecycle = $lifecycle WHERE number = $experiment AND lifecycle <> $lifecycle")
                .With("$lifecycle", (int)lifecycle).With("$experiment", known.Number).ExecuteNonQuery() > 0;
            if (changed)
            {
                RecordChange(session);
            }
            return changed;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<int>> ListCompletedEpochsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<int>>(session =>
        {
            var completed = new int[known.Record.Replicas];
            Array.Fill(completed, -1);
            using var reader = session.Command("SELECT replica, completed_epochs FROM replicas WHERE experiment = $experiment")
                .With("$experiment", known.Number).ExecuteReader();
            while (reader.Read())
            {
                completed[reader.GetInt32(0)] = reader.GetInt32(1);
            }
            return completed;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> GetCompletedEpochAsync(string experimentId, int replica, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckReplica(known.Record, replica, nameof(replica));
        return await ReadAsync(session =>
            session.Command("SELECT completed_epochs FROM replicas WHERE experiment = $experiment AND replica = $replica")
                .With("$experiment", known.Number).With("$replica", replica).ExecuteScalar() is long completed ? (int)completed : -1,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredCheckpoint?> GetCheckpointAsync(string experimentId, int replica, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckReplica(known.Record, replica, nameof(replica));
        return await ReadAsync(session =>
        {
            using var reader = session.Command("SELECT epoch, state FROM checkpoints WHERE experiment = $experiment AND replica = $replica")
                .With("$experiment", known.Number).With("$replica", replica).ExecuteReader();
            return reader.Read() ? new StoredCheckpoint(replica, reader.GetInt32(0), reader.GetFieldValue<byte[]>(1)) : null;
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
            StoredTime.FromMicroseconds(reader.GetInt64(7)),
            (ExperimentLifecycle)reader.GetInt32(8)));
}
