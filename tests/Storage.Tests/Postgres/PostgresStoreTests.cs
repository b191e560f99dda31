using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Storage.Tests.Postgres;

/// <summary>What only the PostgreSQL backend has: its URL and passwords, its migrations under an
/// advisory lock, announcements through LISTEN/NOTIFY, and a server that is down or restarts.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServerFixture server) : IAsyncLifetime
{
    private const string Password = "s3cret-Pa55";
    private const string PasswordUser = "pigmm_password_user";
    private static readonly DateTimeOffset CreatedAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<IPigmmStore> stores = [];
    private readonly PostgresStoreOptions options = new() { Schema = PostgresServerFixture.NewSchema() };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    private PostgresStore Open(string? url = null, PostgresStoreOptions? with = null)
    {
        var store = PostgresStore.Open(url ?? server.SharedUrl, with ?? options);
        stores.Add(store);
        return store;
    }

    [Theory]
    [InlineData("postgres://alice@db.example:6543/runs", "alice", "db.example", 6543, "runs", "postgres://alice@db.example:6543/runs")]
    [InlineData("postgresql://alice@db.example/runs", "alice", "db.example", 5432, "runs", "postgres://alice@db.example:5432/runs")]
    [InlineData("POSTGRES://bob@127.0.0.1:5433/pigmm", "bob", "127.0.0.1", 5433, "pigmm", "postgres://bob@127.0.0.1:5433/pigmm")]
    [InlineData("postgres://a%40b@[::1]:5432/my%20db", "a@b", "::1", 5432, "my db", "postgres://a%40b@[::1]:5432/my%20db")]
    public void A_url_names_user_host_port_and_database(string url, string user, string host, int port, string database, string description)
    {
        var location = PostgresLocation.Parse(url);

        Assert.Equal(new PostgresLocation(user, host, port, database), location);
        Assert.Equal(description, location.Description);
        Assert.Equal(location, PostgresLocation.Parse(location.Description));
        Assert.True(PigmmStores.IsPostgres(url));
    }

    [Theory]
    [InlineData("postgres://db.example:5432/runs")]
    [InlineData("postgres://alice@db.example:5432/")]
    [InlineData("postgres://alice@db.example:5432/runs/more")]
    [InlineData("postgres://alice@db.example:5432/runs?sslmode=require")]
    [InlineData("postgres://alice@:5432/runs")]
    [InlineData("postgres://alice@db.example:port/runs")]
    [InlineData("postgres:alice@db.example/runs")]
    [InlineData("mysql://alice@db.example/runs")]
    public void A_malformed_url_is_refused_naming_the_expected_form(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresStore.Open(url));

        Assert.Contains(PostgresLocation.ExpectedForm, error.Message);
    }

    [Fact]
    public void A_url_with_a_password_is_refused_without_repeating_it()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresStore.Open($"postgres://alice:{Password}@db.example:5432/runs"));

        Assert.Contains("PGPASSWORD", error.Message);
        Assert.DoesNotContain(Password, error.ToString());
    }

    [Fact]
    public async Task The_store_argument_picks_the_backend()
    {
        var folder = Directory.CreateTempSubdirectory("pigmm-stores-");
        try
        {
            string path = Path.Combine(folder.FullName, "store.db");
            await using (var sqlite = PigmmStores.Open(path))
            {
                Assert.IsType<OrleansPigmm.Storage.Sqlite.SqliteStore>(sqlite);
                Assert.Equal("sqlite:" + path, sqlite.Description);
            }
            await using var postgres = PigmmStores.Open(server.SharedUrl, options);
            Assert.IsType<PostgresStore>(postgres);
            Assert.StartsWith(server.SharedUrl, postgres.Description);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Stores_opened_at_once_on_an_empty_database_migrate_it_once()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Open())));

        Assert.True(await opened[0].CreateExperimentAsync(TestData.Experiment("experiment-a", CreatedAt)));
        foreach (var store in opened)
        {
            Assert.Equal("experiment-a", (await store.GetExperimentAsync("experiment-a"))!.Id);
        }
        var versions = await PostgresServerFixture.ScalarInAsync(server.SharedUrl,
            $"SELECT string_agg(version::text, ',' ORDER BY version) FROM {options.Schema}.schema_migrations");
        Assert.Equal(string.Join(',', PostgresSchema.Migrations.Select(m => m.Version)), versions);
    }

    [Fact]
    public async Task A_database_written_by_a_newer_schema_is_refused()
    {
        await Open().DisposeAsync();
        int newer = PostgresSchema.LatestVersion + 1;
        await server.ExecuteInSharedAsync($"INSERT INTO {options.Schema}.schema_migrations (version, description) VALUES ({newer}, 'from the future')");

        var error = Assert.Throws<StoreUnavailableException>(() => Open());

        Assert.Contains($"newer version of OrleansPigmm (schema v{newer}; this version knows up to v{PostgresSchema.LatestVersion})", error.Message);
        Assert.Contains(server.SharedUrl, error.Message);
    }

    [Fact]
    public async Task Another_store_instances_writes_are_announced_without_polling()
    {
        var watcher = Open();
        var writer = Open();
        long known = await watcher.GetChangeVersionAsync();
        var wait = watcher.WaitForChangeAsync(known, TimeSpan.FromHours(1));
        await Task.Delay(200);

        await writer.CreateExperimentAsync(TestData.Experiment("elsewhere", CreatedAt));

        Assert.Equal(await writer.GetChangeVersionAsync(), await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task The_password_comes_from_PGPASSWORD_or_a_password_file_and_is_never_shown()
    {
        var own = await server.OwnServerAsync();
        await PostgresServerFixture.ExecuteInAsync(own.Url("postgres"), $"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PasswordUser}') THEN CREATE ROLE {PasswordUser} LOGIN SUPERUSER; END IF;
            END $$;
            ALTER ROLE {PasswordUser} PASSWORD '{Password}';
            """);
        await own.RequirePasswordAsync(PasswordUser);
        string url = $"postgres://{PasswordUser}@127.0.0.1:{own.Port}/postgres";
        var file = Path.GetTempFileName();
        string? saved = Environment.GetEnvironmentVariable("PGPASSWORD");
        try
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
            var none = Assert.Throws<StoreUnavailableException>(() => Open(url, new PostgresStoreOptions()));
            Assert.Contains("password", none.Message);

            Environment.SetEnvironmentVariable("PGPASSWORD", Password);
            var fromVariable = Open(url, new PostgresStoreOptions());
            Assert.Equal(url, fromVariable.Description);
            await fromVariable.ListExperimentsAsync();

            Environment.SetEnvironmentVariable("PGPASSWORD", "wrong-" + Password);
            var wrong = Assert.Throws<StoreUnavailableException>(() => Open(url, new PostgresStoreOptions()));
            Assert.Contains($"refused the login of user '{PasswordUser}'", wrong.Message);

            await File.WriteAllTextAsync(file, Password + "\n");
            var fromFile = Open(url, new PostgresStoreOptions { PasswordFile = file });
            await fromFile.ListExperimentsAsync();

            var missing = Assert.Throws<StoreUnavailableException>(() => Open(url, new PostgresStoreOptions { PasswordFile = file + ".missing" }));
            Assert.Contains("password file", missing.Message);

            Assert.All(new Exception[] { none, wrong, missing }, error =>
            {
                Assert.Contains(url, error.Message);
                Assert.DoesNotContain('\n', error.Message);
                Assert.DoesNotContain(Password, error.ToString());
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", saved);
            File.Delete(file);
        }
    }

    [Fact]
    public void A_missing_database_is_refused_clearly()
    {
        string url = (PostgresLocation.Parse(server.SharedUrl) with { Database = "pigmm_no_such_database" }).Description;

        var error = Assert.Throws<StoreUnavailableException>(() => Open(url, new PostgresStoreOptions()));

        Assert.Equal($"The store {url} is unavailable: the server has no database 'pigmm_no_such_database' (create it first).", error.Message);
    }

    [Fact]
    public void A_server_that_does_not_answer_fails_quickly_and_clearly()
    {
        int port = ClosedPort();
        string url = $"postgres://nobody@127.0.0.1:{port}/runs";
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<StoreUnavailableException>(() => Open(url, new PostgresStoreOptions()));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Failing took {clock.Elapsed}.");
        Assert.Equal($"The store {url} is unavailable: nothing answers at 127.0.0.1:{port} (is the server running?).", error.Message);
    }

    [Fact]
    public async Task A_server_restart_fails_a_call_at_most_and_loses_nothing_committed()
    {
        var own = await server.OwnServerAsync();
        string url = own.Url("postgres");
        var store = Open(url);
        var watcher = Open(url);
        var experiment = TestData.Experiment("restarted", CreatedAt, replicas: 2);
        await store.CreateExperimentAsync(experiment);
        await store.CommitEpochsAsync(TestData.Group(experiment, 0));
        // The watcher listens before the restart, and must listen again after it.
        await watcher.WaitForChangeAsync(-1, TimeSpan.FromHours(1));

        await own.RestartAsync();

        try
        {
            Assert.Equal([0, 0], await store.ListCompletedEpochsAsync(experiment.Id));
        }
        catch (StoreUnavailableException error)
        {
            Assert.Contains(url, error.Message);
        }
        Assert.Equal([0, 0], await store.ListCompletedEpochsAsync(experiment.Id));
        Assert.Equal(experiment.Replicas * experiment.Layers, await store.ReadWeightsAsync(experiment.Id).CountAsync());
        long known = await watcher.GetChangeVersionAsync();
        var wait = watcher.WaitForChangeAsync(known, TimeSpan.FromHours(1));
        Assert.All(await store.CommitEpochsAsync(TestData.Group(experiment, 1)), outcome => Assert.Equal(CommitOutcome.Committed, outcome));
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)) > known);
        Assert.Equal([1, 1], await watcher.ListCompletedEpochsAsync(experiment.Id));
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
