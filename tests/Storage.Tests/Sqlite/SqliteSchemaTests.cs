using Microsoft.Data.Sqlite;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Storage.Tests.Sqlite;

/// <summary>Files written by every released schema open in this build with their data intact.</summary>
public sealed class SqliteSchemaTests : IDisposable
{
    private static readonly DateTimeOffset CreatedAt = new(2026, 1, 15, 9, 30, 0, 123, 456, TimeSpan.Zero);
    private static readonly DateTimeOffset LeaseExpiry = new(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly ExperimentRecord Released = new("released", """{"width":2}""", 2, 1, 1, 2, CreatedAt);

    private readonly SqliteTestFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>
    /// For each released schema version, how a store of that version held the data every case
    /// checks: experiment <see cref="Released"/> (R = 2, E = 1, L = 1, n = 2), its one batch
    /// leased to "silo-old" until <see cref="LeaseExpiry"/> with epoch 0 committed (checkpoint
    /// 1, 2, 3), both snapshots and metrics rows of epoch 0, the aggregate and fit of layer 1
    /// epoch 0 at version 3, and change version 7. Releasing a schema adds its writer here,
    /// in that version's own SQL.
    /// </summary>
    private static readonly Dictionary<int, Action<SqliteConnection>> WrittenByRelease = new()
    {
        [1] = connection => Execute(connection, $$"""
            INSERT INTO experiments VALUES (1, 'released', '{{Released.SpecJson}}', 2, 1, 1, 2, {{Microseconds(CreatedAt)}});
            INSERT INTO batches VALUES (1, 0, 0, 2, 0, 'silo-old', X'00112233445566778899AABBCCDDEEFF', {{Microseconds(LeaseExpiry)}});
            INSERT INTO checkpoints VALUES (1, 0, 0, X'010203');
            INSERT INTO snapshots VALUES (1, 0, 1, 0, 0, X'000000000000F03F', X'0000803F000000C00000000000000080');
            INSERT INTO snapshots VALUES (1, 0, 1, 1, 1, NULL, NULL);
            INSERT INTO metrics VALUES (1, 0, 0, {{BitConverter.DoubleToInt64Bits(0.25)}}, NULL, 0);
            INSERT INTO metrics VALUES (1, 0, 1, {{BitConverter.DoubleToInt64Bits(double.NaN)}}, {{BitConverter.DoubleToInt64Bits(0.5)}}, 1);
            INSERT INTO aggregates VALUES (1, 1, 0, X'0A0B', 3);
            INSERT INTO fits VALUES (1, 1, 0, 1, 1, '{"mu":1}');
            UPDATE store_state SET change_version = 7;
            """),
    };

    public static TheoryData<int> ReleasedVersions() => new(SqliteSchema.Migrations.Select(m => m.Version));

    [Fact]
    public void Migrations_are_numbered_from_1_in_order_without_gaps() =>
        Assert.Equal(Enumerable.Range(1, SqliteSchema.Migrations.Count), SqliteSchema.Migrations.Select(m => m.Version));

    [Theory]
    [MemberData(nameof(ReleasedVersions))]
    public async Task A_store_written_by_a_released_schema_opens_with_its_data_intact(int version)
    {
        string path = folder.File($"schema-v{version}.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteSchema.Upgrade(connection, "sqlite:" + path, version);
            WrittenByRelease[version](connection);
        }

        await using var store = SqliteStore.Open(path, new FixedClock(LeaseExpiry.AddMinutes(-1)));

        Assert.Equal([Released], await store.ListExperimentsAsync());
        Assert.Equal([new BatchStatus(new ReplicaBatch(0, 0, 2), 0, "silo-old", LeaseExpiry)], await store.ListBatchesAsync("released"));
        var snapshots = await store.ReadSnapshotsAsync(new EnsembleKey("released", 1, 0), 0, 2, includeWeights: true).ToListAsync();
        TestData.AssertSame(new SnapshotRecord(0, 1, 0, [1f, -2f, 0f, -0f], [1.0], false), snapshots[0]);
        TestData.AssertSame(new SnapshotRecord(1, 1, 0, null, null, true), snapshots[1]);
        var metrics = await store.ReadMetricsAsync("released");
        TestData.AssertSame(new ReplicaMetrics(0, 0, 0.25, null, false), metrics[0]);
        TestData.AssertSame(new ReplicaMetrics(1, 0, double.NaN, 0.5, true), metrics[1]);
        var aggregate = await store.GetAggregateAsync(new EnsembleKey("released", 1, 0));
        Assert.Equal(3, aggregate!.Version);
        Assert.Equal([10, 11], aggregate.State.ToArray());
        Assert.Equal([new FitRecord(new EnsembleKey("released", 1, 0), 1, 1, """{"mu":1}""")], await store.ListFitsAsync("released"));
        Assert.Equal(7, await store.GetChangeVersionAsync());
        var lease = new WorkLease("released", new ReplicaBatch(0, 0, 2), "silo-old", new Guid(Convert.FromHexString("00112233445566778899AABBCCDDEEFF")), LeaseExpiry, 0, new byte[] { 1, 2, 3 });
        Assert.True(await store.CommitEpochAsync(lease, TestData.Commit(Released, lease.Batch, 1)));
    }

    private static long Microseconds(DateTimeOffset instant) => (instant - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
