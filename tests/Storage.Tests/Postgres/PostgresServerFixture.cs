using Npgsql;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Storage.Tests.Postgres;

/// <summary>
/// The PostgreSQL server every PostgreSQL test class shares: the one PIGMM_TEST_POSTGRES names
/// (postgres://USER@HOST:PORT/DB of a user that may create databases; the password, if any, in
/// PGPASSWORD), else a <see cref="ThrowawayServer"/> started for the run. The tests share one
/// database made for the run, each test in a fresh database schema of its own (creating a
/// database takes a checkpoint, a schema almost nothing); tests that need a whole database make one.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string Variable = "PIGMM_TEST_POSTGRES";

    private PostgresLocation admin = null!;
    private NpgsqlDataSource adminSource = null!;
    private NpgsqlDataSource sharedSource = null!;
    private readonly string sharedDatabase = NewDatabaseName();

    /// <summary>The server started for the run, or null when PIGMM_TEST_POSTGRES names one.</summary>
    internal ThrowawayServer? Server { get; private set; }

    private ThrowawayServer? privateServer;

    /// <summary>A server the tests may configure and restart: the one started for the run, or,
    /// when the tests use a named server, one started for them.</summary>
    internal async Task<ThrowawayServer> OwnServerAsync() => Server ?? (privateServer ??= await ThrowawayServer.StartAsync());

    public async Task InitializeAsync()
    {
        string url;
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named)
        {
            url = named;
        }
        else
        {
            Server = await ThrowawayServer.StartAsync();
            url = Server.Url("postgres");
        }
        admin = PostgresLocation.Parse(url);
        adminSource = DataSource(admin);
        await ExecuteAsync($"CREATE DATABASE {sharedDatabase} TEMPLATE template0");
        sharedSource = DataSource(PostgresLocation.Parse(SharedUrl));
    }

    public async Task DisposeAsync()
    {
        await sharedSource.DisposeAsync();
        await DropDatabaseAsync(sharedDatabase);
        await adminSource.DisposeAsync();
        foreach (var server in new[] { Server, privateServer })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>The database the tests share, each in schemas of its own, by its URL.</summary>
    public string SharedUrl => (admin with { Database = sharedDatabase }).Description;

    /// <summary>The name of a fresh database schema for one test's stores.</summary>
    public static string NewSchema() => $"test_{Guid.NewGuid():N}"[..29];

    /// <summary>An empty database of its own for a test, by its URL.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = NewDatabaseName();
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE template0");
        return (admin with { Database = name }).Description;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>; a server started for
    /// the run is deleted whole instead.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        if (Server is null)
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static string NewDatabaseName() => $"pigmm_test_{Guid.NewGuid():N}";

    /// <summary>Runs <paramref name="sql"/> as the administrating user.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = adminSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Closes every connection to the shared database and lets none in.</summary>
    public async Task TakeSharedDatabaseAwayAsync()
    {
        await ExecuteAsync($"ALTER DATABASE {sharedDatabase} ALLOW_CONNECTIONS false");
        await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{sharedDatabase}'");
    }

    /// <summary>Lets connections to the shared database in again.</summary>
    public Task BringSharedDatabaseBackAsync() => ExecuteAsync($"ALTER DATABASE {sharedDatabase} ALLOW_CONNECTIONS true");

    /// <summary>Runs <paramref name="sql"/> in the shared database.</summary>
    public async Task ExecuteInSharedAsync(string sql)
    {
        await using var command = sharedSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs <paramref name="sql"/> in the database at <paramref name="url"/>.</summary>
    public static async Task ExecuteInAsync(string url, string sql)
    {
        await using var source = DataSource(PostgresLocation.Parse(url));
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query of one value in the database at <paramref name="url"/>.</summary>
    public static async Task<object?> ScalarInAsync(string url, string sql)
    {
        await using var source = DataSource(PostgresLocation.Parse(url));
        await using var command = source.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Connections without a pool, so that none outlives a restart or a terminated
    /// backend, and without reading the type catalogue, which would cost more than connecting.</summary>
    private static NpgsqlDataSource DataSource(PostgresLocation location)
    {
        var builder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(location.ConnectionString(Environment.GetEnvironmentVariable("PGPASSWORD")))
        {
            Pooling = false,
        }.ConnectionString);
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        return builder.Build();
    }
}
/// <summary>Every PostgreSQL test class is of this collection, so they share one server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL server";
}
