using Npgsql;

namespace OrleansPigmm.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string SelectExperimentSql = """
        SELECT number, id, spec_json, replicas, epochs, layers, matrix_size, created_at, lifecycle FROM experiments
        """;

    /// <inheritdoc />
    public async Task<bool> CreateExperimentAsync(ExperimentRecord experiment, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckExperiment(experiment);
        var stored = experiment with { CreatedAt = StoredTime.Truncate(experiment.CreatedAt), Lifecycle = ExperimentLifecycle.Running };
        var (known, created) = await WriteAsync(async connection =>
        {
            // An existing id is left as it is, also when another store creates it at the same time.
            await using var insert = Command(connection, """
                INSERT INTO experiments (id, spec_json, replicas, epochs, layers, matrix_size, created_at, lifecycle)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 0)
                ON CONFLICT (id) DO NOTHING
                RETURNING number
                """, experiment.Id, experiment.SpecJson, experiment.Replicas, experiment.Epochs, experiment.Layers, experiment.MatrixSize, stored.CreatedAt.UtcDateTime);
            if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long number)
            {
                var existing = await FindExperimentAsync(connection, experiment.Id, cancellationToken).ConfigureAwait(false);
                return ((existing!, false), false);
            }
            await using var replicas = Command(connection, """
                INSERT INTO replicas (experiment, replica, completed_epochs) SELECT $1, replica, -1 FROM generate_series(0, $2 - 1) AS replica
                """, number, experiment.Replicas);
            await replicas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return ((new KnownExperiment(number, stored), true), true);
        }, cancellationToken).ConfigureAwait(false);
        experiments.Remember(known);
        return created;
    }

    /// <inheritdoc />
    public async Task<ExperimentRecord?> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        (await experiments.LoadAsync(experimentId, cancellationToken).ConfigureAwait(false))?.Record;

    /// <inheritdoc />
    public Task<IReadOnlyList<ExperimentRecord>> ListExperimentsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<ExperimentRecord>>(async connection =>
        {
            await using var command = Command(connection, SelectExperimentSql + " ORDER BY number");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<ExperimentRecord>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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
        return await WriteAsync(async connection =>
        {
            await using var update = Command(connection, "UPDATE experiments SET lifecycle = $1 WHERE number = $2 AND lifecycle <> $1", (short)lifecycle, known.Number);
            bool changed = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            return (changed, changed);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<int>> ListCompletedEpochsAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<IReadOnlyList<int>>(async connection =>
        {
            var completed = new int[known.Record.Replicas];
            System.Array.Fill(completed, -1);
            await using var command = Command(connection, "SELECT replica, completed_epochs FROM replicas WHERE experiment = $1", known.Number);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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
        return await ReadAsync(async connection =>
        {
            await using var command = Command(connection, "SELECT completed_epochs FROM replicas WHERE experiment = $1 AND replica = $2", known.Number, replica);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int completed ? completed : -1;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredCheckpoint?> GetCheckpointAsync(string experimentId, int replica, CancellationToken cancellationToken = default)
    {
        var known = await experiments.GetAsync(experimentId, cancellationToken).ConfigureAwait(false);
        StoreArguments.CheckReplica(known.Record, replica, nameof(replica));
        return await ReadAsync(async connection =>
        {
            await using var command = Command(connection, "SELECT epoch, state FROM checkpoints WHERE experiment = $1 AND replica = $2", known.Number, replica);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new StoredCheckpoint(replica, reader.GetInt32(0), reader.GetFieldValue<byte[]>(1))
                : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A command on <paramref name="connection"/> with positional parameters $1, $2, ...</summary>
    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        AddValues(command.Parameters, values);
        return command;
    }

    private static async Task<KnownExperiment?> FindExperimentAsync(NpgsqlConnection connection, string experimentId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, SelectExperimentSql + " WHERE id = $1", experimentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadExperiment(reader) : null;
    }

    private static KnownExperiment ReadExperiment(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        new ExperimentRecord(
            reader.GetString(1),
            reader.GetString(2),
            reader.GetInt32(3),
            reader.GetInt32(4),
            reader.GetInt32(5),
            reader.GetInt32(6),
            new DateTimeOffset(reader.GetFieldValue<DateTime>(7), TimeSpan.Zero),
            (ExperimentLifecycle)reader.GetInt16(8)));
}
