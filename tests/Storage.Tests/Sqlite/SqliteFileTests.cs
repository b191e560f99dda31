using Microsoft.Data.Sqlite;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Storage.Tests.Sqlite;

/// <summary>What the SQLite store does with the file it is given, and when that file is not what
/// it should be or stops being there.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SqliteTestFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string DatabasePath => folder.File("store.db");

    /// <summary>A store holding experiment "kept" (2 replicas) with epoch 0 committed.</summary>
    private static async Task<ExperimentRecord> WriteEpochZeroAsync(SqliteStore store)
    {
        var experiment = TestData.Experiment("kept", At, replicas: 2, epochs: 2, layers: 1);
        await store.CreateExperimentAsync(experiment);
        await CommitAsync(store, TestData.Group(experiment, 0));
        return experiment;
    }

    private static async Task CommitAsync(SqliteStore store, IReadOnlyList<ReplicaEpochCommit> group) =>
        Assert.All(await store.CommitEpochsAsync(group), outcome => Assert.Equal(CommitOutcome.Committed, outcome));

    private static async Task AssertEpochZeroIsThereAsync(IPigmmStore store, ExperimentRecord experiment)
    {
        var stored = await store.ReadSnapshotsAsync(new EnsembleKey(experiment.Id, 1, 0), 0, 2, includeWeights: true).ToListAsync();
        Assert.Equal(2, stored.Count);
        foreach (var snapshot in stored)
        {
            TestData.AssertSame(TestData.Snapshot(experiment, snapshot.Replica, 1, 0), snapshot);
        }
    }

    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task Opening_creates_the_file_and_its_folder()
    {
        string path = Path.Combine(folder.Path, "runs", "laptop", "store.db");

        await using var store = SqliteStore.Open(path);

        Assert.True(File.Exists(path));
        Assert.Equal("sqlite:" + path, store.Description);
        Assert.Empty(await store.ListExperimentsAsync());
        Assert.Equal(0, await store.GetChangeVersionAsync());
    }

    [Fact]
    public async Task A_new_file_is_marked_as_ours_and_set_up_for_WAL_with_its_page_size()
    {
        await SqliteStore.Open(DatabasePath).DisposeAsync();

        using var connection = OpenRaw(DatabasePath);
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal((long)SqliteSchema.ApplicationId, Scalar(connection, "PRAGMA application_id"));
        Assert.Equal((long)SqliteSchema.PageSize, Scalar(connection, "PRAGMA page_size"));
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(connection, "SELECT max(version) FROM schema_migrations"));
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public void A_file_that_is_not_a_SQLite_database_is_refused_and_left_untouched()
    {
        string text = "These are my notes, not a database. " + new string('.', 200);
        File.WriteAllText(DatabasePath, text);

        var error = Assert.Throws<StoreUnavailableException>(() => SqliteStore.Open(DatabasePath));

        Assert.Equal($"The store sqlite:{DatabasePath} is unavailable: the file is not a SQLite database.", error.Message);
        Assert.Equal(text, File.ReadAllText(DatabasePath));
    }

    [Fact]
    public void A_SQLite_database_of_another_application_is_refused_and_left_untouched()
    {
        using (var connection = OpenRaw(DatabasePath))
        {
            Execute(connection, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
        }
        byte[] before = File.ReadAllBytes(DatabasePath);

        var error = Assert.Throws<StoreUnavailableException>(() => SqliteStore.Open(DatabasePath));

        Assert.Contains("another application", error.Message);
        Assert.Equal(before, File.ReadAllBytes(DatabasePath));
    }

    [Fact]
    public async Task A_store_written_by_a_newer_schema_is_refused_and_left_untouched()
    {
        await using (var store = SqliteStore.Open(DatabasePath))
        {
            await WriteEpochZeroAsync(store);
        }
        int future = SqliteSchema.LatestVersion + 1;
        using (var connection = OpenRaw(DatabasePath))
        {
            Execute(connection, $"INSERT INTO schema_migrations VALUES ({future}, 'from the future', '2030-01-01')");
        }
        byte[] before = File.ReadAllBytes(DatabasePath);

        var error = Assert.Throws<StoreUnavailableException>(() => SqliteStore.Open(DatabasePath));

        Assert.Contains($"schema v{future}", error.Message);
        Assert.Contains($"up to v{SqliteSchema.LatestVersion}", error.Message);
        Assert.Equal(before, File.ReadAllBytes(DatabasePath));
    }

    [Fact]
    public async Task A_corrupt_database_is_refused_and_a_restored_copy_opens_with_its_data()
    {
        ExperimentRecord experiment;
        await using (var store = SqliteStore.Open(DatabasePath))
        {
            experiment = await WriteEpochZeroAsync(store);
        }
        File.Copy(DatabasePath, DatabasePath + ".backup");
        // Garbage over everything but the first page (the header and the list of tables).
        byte[] garbage = new byte[new FileInfo(DatabasePath).Length - 4096];
        new Random(7).NextBytes(garbage);
        using (var file = new FileStream(DatabasePath, FileMode.Open))
        {
            file.Position = 4096;
            file.Write(garbage);
        }

        var error = Assert.Throws<StoreUnavailableException>(() => SqliteStore.Open(DatabasePath));
        File.Copy(DatabasePath + ".backup", DatabasePath, overwrite: true);

        Assert.Contains("corrupt", error.Message);
        await using var restored = SqliteStore.Open(DatabasePath);
        await AssertEpochZeroIsThereAsync(restored, experiment);
    }

    [Fact]
    public async Task A_database_locked_longer_than_the_busy_timeout_fails_calls_until_the_lock_ends()
    {
        await using var store = SqliteStore.Open(DatabasePath, options: new SqliteStoreOptions { BusyTimeout = TimeSpan.FromSeconds(1) });
        var experiment = TestData.Experiment("blocked", At);
        using var other = OpenRaw(DatabasePath);
        Execute(other, "BEGIN IMMEDIATE");

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CreateExperimentAsync(experiment));
        Execute(other, "ROLLBACK");

        Assert.Contains("locked", error.Message);
        Assert.Contains("(1 s)", error.Message);
        Assert.True(await store.CreateExperimentAsync(experiment));
    }

    [Fact]
    public async Task A_group_commit_that_fails_midway_leaves_nothing_behind()
    {
        await using var store = SqliteStore.Open(DatabasePath);
        var experiment = await WriteEpochZeroAsync(store);
        using (var connection = OpenRaw(DatabasePath))
        {
            // Replica 0's commit (progress, checkpoint, snapshot, metrics) is written before replica 1's fails.
            Execute(connection, """
                CREATE TRIGGER fail_midway BEFORE INSERT ON snapshots WHEN NEW.replica = 1
                BEGIN SELECT RAISE(ABORT, 'the disk went away'); END
                """);
        }

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CommitEpochsAsync(TestData.Group(experiment, 1)));

        Assert.Contains("the disk went away", error.Message);
        Assert.Equal([0, 0], await store.ListCompletedEpochsAsync(experiment.Id));
        Assert.Empty(await store.ReadSnapshotsAsync(new EnsembleKey(experiment.Id, 1, 1), 0, 2, includeWeights: false).ToListAsync());
        Assert.DoesNotContain(await store.ReadMetricsAsync(experiment.Id), m => m.Epoch == 1);
        Assert.Equal(TestData.Checkpoint(0, 0), (await store.GetCheckpointAsync(experiment.Id, 0))!.State.ToArray());
    }

    [Fact]
    public async Task A_deleted_database_file_is_not_recreated_empty_by_the_store()
    {
        await using var store = SqliteStore.Open(DatabasePath);
        await WriteEpochZeroAsync(store);
        folder.SetAside(DatabasePath);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ListExperimentsAsync());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CreateExperimentAsync(TestData.Experiment("lost", At)));

        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task A_database_file_replaced_while_open_is_followed_and_no_write_is_lost()
    {
        await using var store = SqliteStore.Open(DatabasePath);
        await WriteEpochZeroAsync(store);
        string replacement = folder.File("replacement.db");
        var replacementExperiment = TestData.Experiment("replacement", At, replicas: 2, epochs: 2, layers: 1);
        await using (var other = SqliteStore.Open(replacement))
        {
            await other.CreateExperimentAsync(replacementExperiment);
        }

        File.Move(replacement, DatabasePath, overwrite: true);
        File.Delete(DatabasePath + "-wal");
        File.Delete(DatabasePath + "-shm");
        // A read first: the pooled read connections must follow the replacement too.
        Assert.Equal([replacementExperiment], await store.ListExperimentsAsync());
        await CommitAsync(store, TestData.Group(replacementExperiment, 0));
        await AssertEpochZeroIsThereAsync(store, replacementExperiment);
        await store.DisposeAsync();

        await using var reopened = SqliteStore.Open(DatabasePath);
        Assert.Equal([replacementExperiment], await reopened.ListExperimentsAsync());
        await AssertEpochZeroIsThereAsync(reopened, replacementExperiment);
    }
}
