using Microsoft.Data.Sqlite;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Storage.Tests.Sqlite;

/// <summary>Files written by every released schema open in this build with their data intact.</summary>
public sealed class SqliteSchemaTests : IDisposable
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 1, 15, 9, 30, 0, 123, 456, TimeSpan.Zero);
    private static readonly DateTimeOffset LeaseExpiry = new(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly ExperimentRecord Released = new("released", """{"width":2}""", 2, 1, 1, 2, CreatedAt);
    private static readonly EnsembleKey LayerOneEpochZero = new("released", 1, 0);

    private readonly SqliteTestFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>
    /// For each released schema version, how a store of that version held the data every case
    /// checks: experiment <see cref="Released"/> (R = 2, E = 1, L = 1, n = 2) with both snapshots
    /// and metrics rows of epoch 0, the fit of layer 1 epoch 0, change version 7, and what that
    /// version kept of the replicas' progress (see <see cref="ProgressAfterOpening"/>). Releasing a
    /// schema adds its writer here, in that version's own SQL.
    /// </summary>
    private static readonly Dictionary<int, Action<SqliteConnection>> WrittenByRelease = new()
    {
        // Epoch 0 of the one batch committed under a lease, with its checkpoint and an aggregate.
        [1] = connection => Execute(connection, $$"""
            INSERT INTO experiments VALUES (1, 'released', '{{Released.SpecJson}}', 2, 1, 1, 2, {{Microseconds(CreatedAt)}});
            INSERT INTO batches VALUES (1, 0, 0, 2, 0, 'silo-old', X'00112233445566778899AABBCCDDEEFF', {{Microseconds(LeaseExpiry)}});
            INSERT INTO checkpoints VALUES (1, 0, 0, X'010203');
            {{CommonRows}}
            INSERT INTO aggregates VALUES (1, 1, 0, X'0A0B', 3);
            """),
        // Cancelled, epoch 0 of both replicas committed with their checkpoints.
        [2] = connection => Execute(connection, $$"""
            INSERT INTO experiments VALUES (1, 'released', '{{Released.SpecJson}}', 2, 1, 1, 2, {{Microseconds(CreatedAt)}}, 1);
            INSERT INTO replicas VALUES (1, 0, 0), (1, 1, 0);
            INSERT INTO checkpoints VALUES (1, 0, 0, X'010203'), (1, 1, 0, X'0405');
            {{CommonRows}}
            """),
        // As v2, with the fit published at change version 5.
        [3] = connection => Execute(connection, $$"""
            INSERT INTO experiments VALUES (1, 'released', '{{Released.SpecJson}}', 2, 1, 1, 2, {{Microseconds(CreatedAt)}}, 1);
            INSERT INTO replicas VALUES (1, 0, 0), (1, 1, 0);
            INSERT INTO checkpoints VALUES (1, 0, 0, X'010203'), (1, 1, 0, X'0405');
            {{CommonRows}}
            UPDATE fits SET changed_version = 5;
            """),
    };

    /// <summary>The snapshots, metrics, fit and change version every release holds alike.</summary>
    private static readonly string CommonRows = $$"""
        INSERT INTO snapshots VALUES (1, 0, 1, 0, 0, X'000000000000F03F', X'0000803F000000C00000000000000080');
        INSERT INTO snapshots VALUES (1, 0, 1, 1, 1, NULL, NULL);
        INSERT INTO metrics VALUES (1, 0, 0, {{BitConverter.DoubleToInt64Bits(0.25)}}, NULL, 0);
        INSERT INTO metrics VALUES (1, 0, 1, {{BitConverter.DoubleToInt64Bits(double.NaN)}}, {{BitConverter.DoubleToInt64Bits(0.5)}}, 1);
        INSERT INTO fits (experiment, layer, epoch, samples, diverged, fit_json) VALUES (1, 1, 0, 1, 1, '{"mu":1}');
        UPDATE store_state SET change_version = 7;
        """;

    /// <summary>What this build makes of each release's progress: a v1 store kept it per batch,
    /// which cannot be split, so its replicas start again from nothing.</summary>
    private static readonly Dictionary<int, (ExperimentLifecycle Lifecycle, int[] Completed, byte[]?[] Checkpoints)> ProgressAfterOpening = new()
    {
        [1] = (ExperimentLifecycle.Running, [-1, -1], [null, null]),
        [2] = (ExperimentLifecycle.Cancelled, [0, 0], [[1, 2, 3], [4, 5]]),
        [3] = (ExperimentLifecycle.Cancelled, [0, 0], [[1, 2, 3], [4, 5]]),
    };

    /// <summary>The change version of the fit after opening: releases before v3 kept none, and
    /// their fits count as published at the version the store had when it was upgraded.</summary>
    private static readonly Dictionary<int, long> FitVersionAfterOpening = new() { [1] = 7, [2] = 7, [3] = 5 };

    public static TheoryData<int> ReleasedVersions() => new(SqliteSchema.Migrations.Select(m => m.Version));

    /// <summary>Proves the migration list has no gap and no repeat, so every file can be upgraded step by step.</summary>
    [Fact]
    public void Migrations_are_numbered_from_1_in_order_without_gaps() =>
        Assert.Equal(Enumerable.Range(1, SqliteSchema.Migrations.Count), SqliteSchema.Migrations.Select(m => m.Version));

    /// <summary>Proves that a file of each released schema opens with its experiment, snapshots,
    /// metrics, fits and change version as they were, its progress as this build reads it, and
    /// takes the next commit of each replica.</summary>
    [Theory]
    [MemberData(nameof(ReleasedVersions))]
    public async Task A_store_written_by_a_released_schema_opens_with_its_data_intact(int version)
    {
        string path = WriteRelease(version);
        var (lifecycle, completed, checkpoints) = ProgressAfterOpening[version];

        await using var store = SqliteStore.Open(path);

        Assert.Equal([Released with { Lifecycle = lifecycle }], await store.ListExperimentsAsync());
        Assert.Equal(completed, await store.ListCompletedEpochsAsync("released"));
        for (int replica = 0; replica < 2; replica++)
        {
            Assert.Equal(checkpoints[replica], (await store.GetCheckpointAsync("released", replica))?.State.ToArray());
        }
        await AssertReleasedRowsAsync(store);
        Assert.Equal(7, await store.GetChangeVersionAsync());
        Assert.Equal(FitVersionAfterOpening[version], Assert.Single(await store.ListFitsChangedAfterAsync("released", -1)).Version);
        var next = Enumerable.Range(0, 2).Select(r => TestData.Commit(Released, r, completed[r] + 1)).ToList();
        Assert.Equal([CommitOutcome.Committed, CommitOutcome.Committed], await store.CommitEpochsAsync(next));
    }

    /// <summary>
    /// Proves the v1 to v2 migration: batches, their checkpoints and aggregates are gone; every
    /// experiment, whatever its replica count, is running with one progress row per replica at -1;
    /// retraining from scratch commits epoch 0 again, and the snapshots and metrics the v1 store
    /// already held stay exactly as they were, as do its fits.
    /// </summary>
    [Fact]
    public async Task A_v1_store_upgrades_to_replicas_that_retrain_from_scratch_keeping_its_snapshots_and_fits()
    {
        string path = WriteRelease(1, "INSERT INTO experiments VALUES (2, 'wider', '{}', 3, 4, 1, 2, 0)");

        await using (var store = SqliteStore.Open(path))
        {
            Assert.Equal([-1, -1, -1], await store.ListCompletedEpochsAsync("wider"));
            Assert.Equal([CommitOutcome.Committed, CommitOutcome.Committed], await store.CommitEpochsAsync(TestData.Group(Released, 0)));

            await AssertReleasedRowsAsync(store);
            Assert.Equal([0, 0], await store.ListCompletedEpochsAsync("released"));
            Assert.Equal(TestData.Checkpoint(1, 0), (await store.GetCheckpointAsync("released", 1))!.State.ToArray());
        }
        using var connection = Open(path);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(connection, "SELECT max(version) FROM schema_migrations"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE name IN ('batches', 'aggregates')"));
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM pragma_foreign_key_check"));
    }

    /// <summary>A file of schema <paramref name="version"/> holding that release's data, and
    /// whatever <paramref name="moreSql"/> adds in that version's SQL.</summary>
    private string WriteRelease(int version, string moreSql = "")
    {
        string path = folder.File($"schema-v{version}.db");
        using var connection = Open(path);
        SqliteSchema.Upgrade(connection, "sqlite:" + path, version);
        WrittenByRelease[version](connection);
        if (moreSql.Length > 0)
        {
            Execute(connection, moreSql);
        }
        return path;
    }

    /// <summary>Checks the snapshots, metrics and fit of <see cref="CommonRows"/>, bit for bit.</summary>
    private static async Task AssertReleasedRowsAsync(IPigmmStore store)
    {
        var snapshots = await store.ReadSnapshotsAsync(LayerOneEpochZero, 0, 2, includeWeights: true).ToListAsync();
        Assert.Equal(2, snapshots.Count);
        TestData.AssertSame(new SnapshotRecord(0, 1, 0, [1f, -2f, 0f, -0f], [1.0], false), snapshots[0]);
        TestData.AssertSame(new SnapshotRecord(1, 1, 0, null, null, true), snapshots[1]);
        var metrics = (await store.ReadMetricsAsync("released")).Where(m => m.Epoch == 0).ToList();
        Assert.Equal(2, metrics.Count);
        TestData.AssertSame(new ReplicaMetrics(0, 0, 0.25, null, false), metrics[0]);
        TestData.AssertSame(new ReplicaMetrics(1, 0, double.NaN, 0.5, true), metrics[1]);
        Assert.Equal([new FitRecord(LayerOneEpochZero, 1, 1, """{"mu":1}""")], await store.ListFitsAsync("released"));
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Microseconds(DateTimeOffset instant) => (instant - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
