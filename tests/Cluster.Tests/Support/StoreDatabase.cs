using Npgsql;

namespace OrleansPigmm.Cluster.Tests.Support;

/// <summary>What the store holds of one experiment, counted in the database itself.</summary>
internal sealed record StoreCounts(
    string Experiment,
    int Lifecycle,
    int Replicas,
    int Epochs,
    int Layers,
    long ReplicaRows,
    long FewestCompletedEpochs,
    long MostCompletedEpochs,
    long Snapshots,
    long Metrics,
    long Fits,
    long FitsNotFoldedOnce)
{
    /// <summary>ExperimentLifecycle.Complete as the store writes it.</summary>
    public const int Complete = 2;

    /// <summary>Asserts that the experiment is complete and every replica-epoch was committed, and
    /// folded into its fit, exactly once.</summary>
    public void AssertCompleteExactlyOnce(int replicas, int epochs)
    {
        Assert.True(Lifecycle == Complete, $"lifecycle {Lifecycle}: {this}");
        Assert.True((Replicas, Epochs) == (replicas, epochs), $"spec {Replicas} x {Epochs}: {this}");
        Assert.True(Layers > 0, $"no analysed layer: {this}");
        Assert.True(ReplicaRows == replicas, $"replica rows: {this}");
        Assert.True(FewestCompletedEpochs == epochs && MostCompletedEpochs == epochs, $"completed epochs of the replicas: {this}");
        Assert.True(Snapshots == (long)replicas * (epochs + 1) * Layers, $"snapshots, expected R*(E+1)*L = {(long)replicas * (epochs + 1) * Layers}: {this}");
        Assert.True(Metrics == (long)replicas * (epochs + 1), $"metrics, expected R*(E+1) = {(long)replicas * (epochs + 1)}: {this}");
        Assert.True(Fits == (long)Layers * (epochs + 1), $"fits, expected L*(E+1) = {Layers * (epochs + 1)}: {this}");
        Assert.True(FitsNotFoldedOnce == 0, $"fits whose samples + diverged differ from R: {this}");
    }
}

/// <summary>A row of the store's Orleans membership table (orleans_members): one silo incarnation,
/// its status Orleans' SiloStatus (3 active, 6 dead).</summary>
internal sealed record MemberRow(string Address, int Port, int Generation, int Status)
{
    public const int Active = 3;
    public const int Dead = 6;
}

/// <summary>Reads the store's tables (schema pigmm) of a cluster's PostgreSQL database directly.</summary>
internal sealed class StoreDatabase(string url)
{
    private const string Schema = "pigmm";

    /// <summary>The Npgsql connection string of <paramref name="url"/> (postgres://USER@HOST:PORT/DB),
    /// without pooling, so that no connection outlives a restart of the server.</summary>
    public static string ConnectionString(string url)
    {
        var uri = new Uri(url);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port,
            Username = Uri.UnescapeDataString(uri.UserInfo),
            Database = uri.AbsolutePath.Trim('/'),
            Pooling = false,
            Timeout = 5,
            CommandTimeout = 30,
        }.ConnectionString;
    }

    /// <summary>The first column of the first row of <paramref name="sql"/> (parameters $1, $2, ...).</summary>
    public static async Task<object?> ScalarAsync(string url, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(url));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    /// <summary>The replica-epochs of <paramref name="experiment"/> committed so far (epoch 0
    /// included, as the status counts them): 0 before the store or the experiment exists, null
    /// while the server cannot be reached.</summary>
    public async Task<long?> CommittedAsync(string experiment)
    {
        try
        {
            if (await ScalarAsync(url, $"SELECT to_regclass('{Schema}.replicas') IS NOT NULL") is not true)
            {
                return 0;
            }
            return Convert.ToInt64(await ScalarAsync(url, $"""
                SELECT coalesce(sum(r.completed_epochs + 1), 0) FROM {Schema}.replicas r
                JOIN {Schema}.experiments e ON e.number = r.experiment WHERE e.id = $1
                """, experiment), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception failure) when (failure is NpgsqlException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The counts of <paramref name="experiment"/>, which must exist.</summary>
    public async Task<StoreCounts> CountsAsync(string experiment)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(url));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            WITH e AS (SELECT * FROM {Schema}.experiments WHERE id = $1)
            SELECT e.lifecycle::int, e.replicas, e.epochs, e.layers,
                (SELECT count(*) FROM {Schema}.replicas r WHERE r.experiment = e.number),
                (SELECT coalesce(min(completed_epochs), -2) FROM {Schema}.replicas r WHERE r.experiment = e.number),
                (SELECT coalesce(max(completed_epochs), -2) FROM {Schema}.replicas r WHERE r.experiment = e.number),
                (SELECT count(*) FROM {Schema}.snapshots s WHERE s.experiment = e.number),
                (SELECT count(*) FROM {Schema}.metrics m WHERE m.experiment = e.number),
                (SELECT count(*) FROM {Schema}.fits f WHERE f.experiment = e.number),
                (SELECT count(*) FROM {Schema}.fits f WHERE f.experiment = e.number AND f.samples + f.diverged <> e.replicas)
            FROM e
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = experiment });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"the store holds no experiment {experiment}");
        return new StoreCounts(experiment, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
            reader.GetInt64(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10));
    }

    /// <summary>The Orleans membership rows of cluster <paramref name="clusterId"/> (the store keeps
    /// the membership table in its own schema).</summary>
    public async Task<IReadOnlyList<MemberRow>> MembersAsync(string clusterId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(url));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT address, port, generation, status FROM {Schema}.orleans_members WHERE deployment_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<MemberRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new MemberRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3)));
        }
        return rows;
    }

    /// <summary>The other sessions of the server, one line each (address, state, age of the
    /// transaction, query), to tell in a failure whether a cut-off client holds a transaction open.</summary>
    public async Task<string> ActivityAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString(url));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(host(client_addr), 'local') || ' ' || coalesce(application_name, '') || ': ' || coalesce(state, '')
                || coalesce(', transaction open ' || round(extract(epoch FROM now() - xact_start)) || ' s', '')
                || coalesce(', waiting on ' || wait_event_type || '/' || wait_event, '') || ': ' || left(query, 120)
            FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n  ", lines);
    }
}
