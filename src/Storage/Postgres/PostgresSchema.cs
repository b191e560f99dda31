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
        new(2, "Orleans cluster membership: the membership tables and the query texts Orleans' ADO.NET clustering reads", """
            -- Orleans' ADO.NET clustering ships no SQL: it runs the query texts it finds in
            -- OrleansQuery (under the names it asks for), with parameters named as its own
            -- properties (@DeploymentId is the Orleans cluster id), and reads result columns by
            -- name. Its connection string sets search_path to this schema, so every name here
            -- resolves among the store's own tables.
            CREATE TABLE OrleansQuery (
                QueryKey  text PRIMARY KEY,
                QueryText text NOT NULL
            );

            -- One row per cluster: the membership table's version, which every change of a member
            -- increments (and is conditional on); Orleans' optimistic concurrency rests on it.
            CREATE TABLE orleans_membership_versions (
                deployment_id text        PRIMARY KEY,
                version       integer     NOT NULL,
                updated_at    timestamptz NOT NULL DEFAULT now()
            );

            -- One row per silo incarnation (address, port, generation). status is Orleans'
            -- SiloStatus (3 active, 6 dead, ...); suspect_times is Orleans' own text form of the
            -- suspicions against the silo.
            CREATE TABLE orleans_members (
                deployment_id   text        NOT NULL REFERENCES orleans_membership_versions (deployment_id) ON DELETE CASCADE,
                address         text        NOT NULL,
                port            integer     NOT NULL,
                generation      integer     NOT NULL,
                silo_name       text,
                host_name       text        NOT NULL,
                status          integer     NOT NULL,
                proxy_port      integer     NOT NULL,
                suspect_times   text,
                start_time      timestamptz NOT NULL,
                i_am_alive_time timestamptz NOT NULL,
                PRIMARY KEY (deployment_id, address, port, generation)
            );

            -- The members under the column names Orleans reads.
            CREATE VIEW orleans_member_rows AS
                SELECT deployment_id, address AS "Address", port AS "Port", generation AS "Generation",
                       silo_name AS "SiloName", host_name AS "HostName", status AS "Status",
                       proxy_port AS "ProxyPort", suspect_times AS "SuspectTimes",
                       start_time AS "StartTime", i_am_alive_time AS "IAmAliveTime"
                FROM orleans_members;

            -- Inserting or updating a member succeeds only while the table is at the version the
            -- caller read, and moves it on by one. This locks the version row if it is still at
            -- that version, until the transaction ends, so two silos racing on one version cannot
            -- both succeed.
            CREATE FUNCTION orleans_lock_version(_deployment_id text, _expected_version integer) RETURNS boolean
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1 FROM orleans_membership_versions
                    WHERE deployment_id = _deployment_id AND version = _expected_version FOR UPDATE;
                RETURN FOUND;
            END
            $$;

            CREATE FUNCTION orleans_insert_member(
                _deployment_id text, _address text, _port integer, _generation integer, _silo_name text,
                _host_name text, _status integer, _proxy_port integer, _start_time timestamptz,
                _i_am_alive_time timestamptz, _expected_version integer) RETURNS boolean
            LANGUAGE plpgsql AS $$
            BEGIN
                IF NOT orleans_lock_version(_deployment_id, _expected_version) THEN
                    RETURN false;
                END IF;
                INSERT INTO orleans_members (deployment_id, address, port, generation, silo_name, host_name,
                                             status, proxy_port, start_time, i_am_alive_time)
                    VALUES (_deployment_id, _address, _port, _generation, _silo_name, _host_name,
                            _status, _proxy_port, _start_time, _i_am_alive_time)
                    ON CONFLICT DO NOTHING;
                IF FOUND THEN
                    UPDATE orleans_membership_versions SET version = version + 1, updated_at = now()
                        WHERE deployment_id = _deployment_id;
                END IF;
                RETURN FOUND;
            END
            $$;

            CREATE FUNCTION orleans_update_member(
                _deployment_id text, _address text, _port integer, _generation integer, _status integer,
                _suspect_times text, _i_am_alive_time timestamptz, _expected_version integer) RETURNS boolean
            LANGUAGE plpgsql AS $$
            BEGIN
                IF NOT orleans_lock_version(_deployment_id, _expected_version) THEN
                    RETURN false;
                END IF;
                UPDATE orleans_members
                    SET status = _status, suspect_times = _suspect_times, i_am_alive_time = _i_am_alive_time
                    WHERE deployment_id = _deployment_id AND address = _address AND port = _port AND generation = _generation;
                IF FOUND THEN
                    UPDATE orleans_membership_versions SET version = version + 1, updated_at = now()
                        WHERE deployment_id = _deployment_id;
                END IF;
                RETURN FOUND;
            END
            $$;

            INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
            ('InsertMembershipVersionKey', $q$
                WITH created AS (
                    INSERT INTO orleans_membership_versions (deployment_id, version) VALUES (@DeploymentId, 0)
                    ON CONFLICT DO NOTHING RETURNING 1)
                SELECT EXISTS (SELECT 1 FROM created)
            $q$),
            ('InsertMembershipKey', $q$
                SELECT orleans_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                             @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)
            $q$),
            ('UpdateMembershipKey', $q$
                SELECT orleans_update_member(@DeploymentId, @Address, @Port, @Generation, @Status,
                                             @SuspectTimes, @IAmAliveTime, @Version)
            $q$),
            ('UpdateIAmAlivetimeKey', $q$
                UPDATE orleans_members SET i_am_alive_time = @IAmAliveTime
                WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
            $q$),
            -- The reads return the version row even when no member matches (members' columns NULL
            -- then): Orleans takes the table version from the first row.
            ('MembershipReadAllKey', $q$
                SELECT v.version AS "Version", m.*
                FROM orleans_membership_versions v
                LEFT JOIN orleans_member_rows m ON m.deployment_id = v.deployment_id
                WHERE v.deployment_id = @DeploymentId
            $q$),
            ('MembershipReadRowKey', $q$
                SELECT v.version AS "Version", m.*
                FROM orleans_membership_versions v
                LEFT JOIN orleans_member_rows m ON m.deployment_id = v.deployment_id
                    AND m."Address" = @Address AND m."Port" = @Port AND m."Generation" = @Generation
                WHERE v.deployment_id = @DeploymentId
            $q$),
            -- Consoles find gateways here: active silos that accept clients.
            ('GatewaysQueryKey', $q$
                SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
                FROM orleans_members
                WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
            $q$),
            ('DeleteMembershipTableEntriesKey', $q$
                DELETE FROM orleans_membership_versions WHERE deployment_id = @DeploymentId
            $q$),
            -- Rows of silos that stopped (any status but active) and were last seen before the
            -- given time.
            ('CleanupDefunctSiloEntriesKey', $q$
                DELETE FROM orleans_members
                WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
            $q$);
            """),
        new(3, "the change version at which each fit was last published", """
            -- A watcher (the HTTP API's event stream) asks for the fits changed after the last
            -- version it saw. Fits stored before count as published at the store's version now.
            ALTER TABLE fits ADD COLUMN changed_version bigint NOT NULL DEFAULT 0;
            UPDATE fits SET changed_version = (SELECT change_version FROM store_state);
            CREATE INDEX fits_by_change ON fits (experiment, changed_version);
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
