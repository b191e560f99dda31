using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansPigmm.Storage.Sqlite;

/// <summary>
/// The SQLite schema as an ordered list of migrations, and the checks made when a file is opened:
/// it must be empty (a new store), or marked as ours with a schema version this build knows.
/// Released migrations never change; a new schema is a new migration at the end of the list.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>PRAGMA application_id of our files ("PGMM"), so that another application's SQLite
    /// database is refused rather than written into.</summary>
    public const int ApplicationId = 0x50474D4D;

    /// <summary>The page size of a new file, in bytes.</summary>
    public const int PageSize = 16384;

    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "experiments, leased batches, checkpoints, snapshots, metrics, aggregates and fits", """
            -- One row; every write transaction increments it so that watchers in any process notice.
            CREATE TABLE store_state (
                singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
                change_version INTEGER NOT NULL
            );
            INSERT INTO store_state (singleton, change_version) VALUES (1, 0);

            -- number: creation order, and the short key every other table uses.
            CREATE TABLE experiments (
                number        INTEGER PRIMARY KEY,
                id            TEXT    NOT NULL UNIQUE,
                spec_json     TEXT    NOT NULL,
                replicas      INTEGER NOT NULL,
                epochs        INTEGER NOT NULL,
                layers        INTEGER NOT NULL,
                matrix_size   INTEGER NOT NULL,
                created_at_us INTEGER NOT NULL
            );

            -- A lease is (owner, lease_token, lease_expires_at_us); it is held while it has not expired.
            CREATE TABLE batches (
                experiment          INTEGER NOT NULL REFERENCES experiments (number),
                batch               INTEGER NOT NULL,
                first_replica       INTEGER NOT NULL,
                replica_count       INTEGER NOT NULL,
                completed_epochs    INTEGER NOT NULL,
                owner               TEXT,
                lease_token         BLOB,
                lease_expires_at_us INTEGER,
                PRIMARY KEY (experiment, batch)
            );

            -- The latest checkpoint of a batch, kept apart so that lease updates do not rewrite it.
            CREATE TABLE checkpoints (
                experiment INTEGER NOT NULL,
                batch      INTEGER NOT NULL,
                epoch      INTEGER NOT NULL,
                state      BLOB    NOT NULL,
                PRIMARY KEY (experiment, batch),
                FOREIGN KEY (experiment, batch) REFERENCES batches (experiment, batch)
            );

            -- Keyed (experiment, epoch, layer, replica): an ensemble is one contiguous range, and a
            -- commit's rows land next to each other. invariants: float64 little-endian, NULL when
            -- diverged; weights: float32 little-endian n x n row-major, NULL when not kept. The blobs
            -- come last so that reading the small columns never walks a weight blob's pages.
            CREATE TABLE snapshots (
                experiment INTEGER NOT NULL REFERENCES experiments (number),
                epoch      INTEGER NOT NULL,
                layer      INTEGER NOT NULL,
                replica    INTEGER NOT NULL,
                diverged   INTEGER NOT NULL,
                invariants BLOB,
                weights    BLOB,
                PRIMARY KEY (experiment, epoch, layer, replica)
            );

            -- Doubles are kept as their IEEE-754 bit patterns: SQLite turns a NaN REAL into NULL.
            CREATE TABLE metrics (
                experiment         INTEGER NOT NULL REFERENCES experiments (number),
                epoch              INTEGER NOT NULL,
                replica            INTEGER NOT NULL,
                train_loss_bits    INTEGER NOT NULL,
                test_accuracy_bits INTEGER,
                diverged           INTEGER NOT NULL,
                PRIMARY KEY (experiment, epoch, replica)
            ) WITHOUT ROWID;

            CREATE TABLE aggregates (
                experiment INTEGER NOT NULL REFERENCES experiments (number),
                layer      INTEGER NOT NULL,
                epoch      INTEGER NOT NULL,
                state      BLOB    NOT NULL,
                version    INTEGER NOT NULL,
                PRIMARY KEY (experiment, layer, epoch)
            );

            CREATE TABLE fits (
                experiment INTEGER NOT NULL REFERENCES experiments (number),
                layer      INTEGER NOT NULL,
                epoch      INTEGER NOT NULL,
                samples    INTEGER NOT NULL,
                diverged   INTEGER NOT NULL,
                fit_json   TEXT    NOT NULL,
                PRIMARY KEY (experiment, layer, epoch)
            );
            """),
        new(2, "per-replica progress and checkpoints, experiment lifecycle; no leased batches or aggregates", """
            -- ExperimentLifecycle: 0 running, 1 cancelled, 2 complete. Experiments of a v1 store
            -- were all being trained, so they are running.
            ALTER TABLE experiments ADD COLUMN lifecycle INTEGER NOT NULL DEFAULT 0;

            -- A v1 store kept progress and checkpoints per leased batch, and those cannot be split
            -- into replicas. So every replica of a v1 experiment starts again from nothing
            -- (completed_epochs = -1): training is deterministic, so it writes the same rows again,
            -- and the snapshots and metrics already stored are kept as they are, because writing an
            -- existing key is a no-op. Fits are kept too; aggregator state is gone, and fits are
            -- published again as the replicas commit.
            DROP TABLE checkpoints;
            DROP TABLE batches;
            DROP TABLE aggregates;

            -- One row per replica, made with its experiment: the last epoch committed, -1 for none.
            CREATE TABLE replicas (
                experiment       INTEGER NOT NULL REFERENCES experiments (number),
                replica          INTEGER NOT NULL,
                completed_epochs INTEGER NOT NULL,
                PRIMARY KEY (experiment, replica)
            ) WITHOUT ROWID;

            WITH RECURSIVE numbered (experiment, replica, replicas) AS (
                SELECT number, 0, replicas FROM experiments
                UNION ALL
                SELECT experiment, replica + 1, replicas FROM numbered WHERE replica + 1 < replicas
            )
            INSERT INTO replicas (experiment, replica, completed_epochs)
            SELECT experiment, replica, -1 FROM numbered;

            -- The checkpoint saved with a replica's last committed epoch (no row before its first
            -- commit), kept apart so that reading progress never walks a checkpoint's pages.
            CREATE TABLE checkpoints (
                experiment INTEGER NOT NULL,
                replica    INTEGER NOT NULL,
                epoch      INTEGER NOT NULL,
                state      BLOB    NOT NULL,
                PRIMARY KEY (experiment, replica),
                FOREIGN KEY (experiment, replica) REFERENCES replicas (experiment, replica)
            );
            """),
        new(3, "the change version at which each fit was last published", """
            -- A watcher (the HTTP API's event stream) asks for the fits changed after the last
            -- version it saw. Fits stored before count as published at the store's version now.
            ALTER TABLE fits ADD COLUMN changed_version INTEGER NOT NULL DEFAULT 0;
            UPDATE fits SET changed_version = (SELECT change_version FROM store_state);
            CREATE INDEX fits_by_change ON fits (experiment, changed_version);
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Makes the database at <paramref name="connection"/> a store of schema
    /// <paramref name="targetVersion"/>: a new (empty) file gets the whole schema, an older one the
    /// missing migrations. Runs in one write transaction, so concurrent openers wait for each other
    /// and a failed upgrade leaves the file as it was.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The file belongs to another application, or
    /// was written by a newer schema than <paramref name="targetVersion"/>.</exception>
    public static void Upgrade(SqliteConnection connection, string store, int targetVersion)
    {
        // Only an empty file takes a page size, and only outside a transaction; a file another
        // opener fills meanwhile keeps its own. Every commit replaces one checkpoint per replica
        // (98 KB each for the paper's network), and larger pages mean fewer overflow pages to
        // free, allocate and log: 16 KiB took n = 10 group ingest from about 17,000 to 22,500
        // snapshots/s on a 2-core test machine. Larger pages ingest faster still, but then an
        // export's lookups, which visit one leaf per (epoch, layer), no longer fit a reader's
        // default 2 MB page cache. Older files keep their page size.
        if (Scalar(connection, "SELECT count(*) FROM sqlite_schema") == 0)
        {
            Execute(connection, $"PRAGMA page_size = {PageSize}");
        }
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            int version = CurrentVersion(connection, store);
            if (version > targetVersion)
            {
                throw SchemaMigration.NewerThanKnown(store, version, targetVersion);
            }
            if (version == 0)
            {
                Execute(connection, $"PRAGMA application_id = {ApplicationId}");
                Execute(connection, """
                    CREATE TABLE schema_migrations (
                        version     INTEGER PRIMARY KEY,
                        description TEXT    NOT NULL,
                        applied_at  TEXT    NOT NULL
                    )
                    """);
            }
            foreach (var migration in Migrations.Where(m => m.Version > version && m.Version <= targetVersion))
            {
                Execute(connection, migration.Sql);
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($version, $description, $at)";
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$description", migration.Description);
                record.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
            }
            Execute(connection, "COMMIT");
        }
        catch
        {
            // A failed statement may have ended the transaction already.
            if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                Execute(connection, "ROLLBACK");
            }
            throw;
        }
        // WAL lets readers go on while one connection writes; it is a property of the file, set
        // once it is known to be ours.
        Execute(connection, "PRAGMA journal_mode = WAL");
    }

    /// <summary>The schema version of the file: 0 for an empty file, else that of the last migration applied.</summary>
    private static int CurrentVersion(SqliteConnection connection, string store)
    {
        long applicationId = Scalar(connection, "PRAGMA application_id");
        long tables = Scalar(connection, "SELECT count(*) FROM sqlite_schema");
        if (applicationId == 0 && tables == 0)
        {
            return 0;
        }
        if (applicationId != ApplicationId)
        {
            throw new StoreUnavailableException(store, "the file is a SQLite database of another application, not an OrleansPigmm store.");
        }
        return (int)Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
