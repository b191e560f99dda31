using Npgsql;

namespace OrleansPigmm.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema: every table lives in one database schema (<see cref="DefaultName"/>
/// unless the options name another), built by an ordered list of migrations recorded in its
/// table schema_migrations. Opening a store brings
/// the database up to date in one transaction under an advisory lock, so that silos starting
/// together migrate it once, and refuses a database written by a newer schema.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The database schema that holds the store's tables by default.</summary>
    public const string DefaultName = "pigmm";

    /// <summary>The channel on which the writing transactions of the store in
    /// <paramref name="schema"/> announce a new change version.</summary>
    public static string ChangeChannel(string schema) => schema + "_change";

    /// <summary>The key of the advisory lock held while migrating ("PGMM"); stores in other
    /// schemas of the database wait too, which costs nothing worth a key of their own.</summary>
    private const long MigrationLock = 0x50474D4D;

    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "experiments with lifecycle, per-replica progress and checkpoints, snapshots, metrics, fits", """
            -- One row; every writing transaction increments it (and notifies the change channel).
            CREATE TABLE store_state (
                singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                change_version bigint  NOT NULL
            );
            INSERT INTO store_state (singleton, change_version) VALUES (true, 0);

            -- number: creation order, and the short key every other table uses. lifecycle is an
            -- ExperimentLifecycle: 0 running, 1 cancelled, 2 complete.
            CREATE TABLE experiments (
                number      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id          text        NOT NULL UNIQUE,
                spec_json   text        NOT NULL,
                replicas    integer     NOT NULL,
                epochs      integer     NOT NULL,
                layers      integer     NOT NULL,
                matrix_size integer     NOT NULL,
                created_at  timestamptz NOT NULL,
                lifecycle   smallint    NOT NULL DEFAULT 0
            );

            -- One row per replica, made with its experiment: the last epoch committed, -1 for none.
            CREATE TABLE replicas (
                experiment       bigint  NOT NULL REFERENCES experiments (number),
                replica          integer NOT NULL,
                completed_epochs integer NOT NULL,
                PRIMARY KEY (experiment, replica)
            );

            -- The checkpoint saved with a replica's last committed epoch (no row before its first commit).
            CREATE TABLE checkpoints (
                experiment bigint  NOT NULL,
                replica    integer NOT NULL,
                epoch      integer NOT NULL,
                state      bytea   NOT NULL,
                PRIMARY KEY (experiment, replica),
                FOREIGN KEY (experiment, replica) REFERENCES replicas (experiment, replica)
            );

            -- Keyed (experiment, epoch, layer, replica): an ensemble is one contiguous index range.
            -- invariants: float64 little-endian, NULL when diverged; weights: float32 little-endian
            -- n x n row-major, NULL when not kept. Copied as bytes, so every bit pattern survives.
            CREATE TABLE snapshots (
                experiment bigint  NOT NULL REFERENCES experiments (number),
                epoch      integer NOT NULL,
                layer      integer NOT NULL,
                replica    integer NOT NULL,
                diverged   boolean NOT NULL,
                invariants bytea,
                weights    bytea,
                PRIMARY KEY (experiment, epoch, layer, replica)
            );

            CREATE TABLE metrics (
                experiment    bigint           NOT NULL REFERENCES experiments (number),
                epoch         integer          NOT NULL,
                replica       integer          NOT NULL,
                train_loss    double precision NOT NULL,
                test_accuracy double precision,
                diverged      boolean          NOT NULL,
                PRIMARY KEY (experiment, epoch, replica)
            );

            CREATE TABLE fits (
                experiment bigint  NOT NULL REFERENCES experiments (number),
                layer      integer NOT NULL,
                epoch      integer NOT NULL,
                samples    bigint  NOT NULL,
                diverged   integer NOT NULL,
                fit_json   text    NOT NULL,
                PRIMARY KEY (experiment, layer, epoch)
            );

            -- Weights, invariants and checkpoints are random-looking floats: compressing them
            -- costs time and saves nothing, so large values go out of line as they are.
            ALTER TABLE checkpoints ALTER COLUMN state SET STORAGE EXTERNAL;
            ALTER TABLE snapshots ALTER COLUMN weights SET STORAGE EXTERNAL;
            ALTER TABLE snapshots ALTER COLUMN invariants SET STORAGE EXTERNAL;
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Makes the database of <paramref name="connection"/> a store of schema
    /// <paramref name="targetVersion"/>: a new database gets the whole schema, an older one the
    /// missing migrations, all in one transaction under an advisory lock (concurrent openers
    /// wait, then find the work done); a failed upgrade leaves the database as it was.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The database was written by a newer schema
    /// than <paramref name="targetVersion"/>.</exception>
    public static void Upgrade(NpgsqlConnection connection, string schema, string store, int targetVersion)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})");
        Execute(connection, $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                version     integer     PRIMARY KEY,
                description text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """);
        int version;
        using (var current = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {schema}.schema_migrations", connection))
        {
            version = (int)current.ExecuteScalar()!;
        }
        if (version > targetVersion)
        {
            throw SchemaMigration.NewerThanKnown(store, version, targetVersion);
        }
        foreach (var migration in Migrations.Where(m => m.Version > version && m.Version <= targetVersion))
        {
            Execute(connection, $"SET LOCAL search_path TO {schema}; {migration.Sql}");
            using var record = new NpgsqlCommand($"INSERT INTO {schema}.schema_migrations (version, description) VALUES ($1, $2)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Description });
            record.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
