using Npgsql;
using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Storage.Tests.Postgres;

/// <summary>The membership schema Orleans' ADO.NET clustering runs on: every query it asks for is
/// there, and each keeps the membership protocol's rules (a change succeeds only at the version the
/// caller read and moves it on; of two racing changes one wins), run as the provider runs them:
/// the stored query text, parameters named as Orleans names them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMembershipTests(PostgresServerFixture server) : IAsyncLifetime
{
    /// <summary>The query keys Orleans.Clustering.AdoNet 10.4.2 refuses to start without.</summary>
    private static readonly string[] ClusteringQueryKeys =
    [
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey", "UpdateIAmAlivetimeKey",
        "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
    ];

    private const int Active = 3, Dead = 6, Joining = 2;
    private static readonly DateTime Started = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);
    private readonly PostgresStoreOptions options = new() { Schema = PostgresServerFixture.NewSchema() };
    private NpgsqlDataSource source = null!;
    private Dictionary<string, string> queries = null!;

    public async Task InitializeAsync()
    {
        // Opening the store applies the migrations, the membership schema among them.
        await PostgresStore.Open(server.SharedUrl, options).DisposeAsync();
        source = NpgsqlDataSource.Create(PostgresMembership.ConnectionString(server.SharedUrl, options));
        queries = [];
        await using var command = source.CreateCommand("SELECT QueryKey, QueryText FROM OrleansQuery");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            queries[reader.GetString(0)] = reader.GetString(1);
        }
    }

    public async Task DisposeAsync() => await source.DisposeAsync();

    [Fact]
    public void Every_query_the_clustering_provider_asks_for_is_stored()
    {
        Assert.Empty(ClusteringQueryKeys.Except(queries.Keys));
    }

    [Fact]
    public async Task The_version_row_is_made_once_and_a_read_of_an_empty_table_returns_it_alone()
    {
        Assert.True(await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c1")));
        Assert.False(await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c1")));

        var rows = await ReadAsync("MembershipReadAllKey", ("DeploymentId", "c1"));

        var row = Assert.Single(rows);
        Assert.Equal(0, row["Version"]);
        Assert.Equal(DBNull.Value, row["StartTime"]);
    }

    [Fact]
    public async Task A_member_is_inserted_only_at_the_version_read_and_each_change_moves_the_version_on()
    {
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c2"));

        Assert.False(await InsertAsync("c2", port: 11111, version: 5));
        Assert.True(await InsertAsync("c2", port: 11111, version: 0));
        Assert.False(await InsertAsync("c2", port: 11111, version: 1));
        Assert.True(await UpdateAsync("c2", port: 11111, Active, version: 1));
        Assert.False(await UpdateAsync("c2", port: 11111, Dead, version: 1));
        Assert.False(await UpdateAsync("c2", port: 9, Dead, version: 2));

        var row = Assert.Single(await ReadAsync("MembershipReadAllKey", ("DeploymentId", "c2")));
        Assert.Equal(2, row["Version"]);
        Assert.Equal(Active, row["Status"]);
        Assert.Equal("127.0.0.1", row["Address"]);
        Assert.Equal(30000, row["ProxyPort"]);
        Assert.Equal("silo-11111", row["SiloName"]);
        Assert.Equal(Started, ((DateTime)row["StartTime"]).ToUniversalTime());
    }

    [Fact]
    public async Task Of_two_silos_joining_at_one_version_exactly_one_succeeds()
    {
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c3"));

        for (int round = 0; round < 20; round++)
        {
            var results = await Task.WhenAll(InsertAsync("c3", port: 20000 + (2 * round), version: round), InsertAsync("c3", port: 20001 + (2 * round), version: round));

            Assert.Single(results, succeeded => succeeded);
        }
        var rows = await ReadAsync("MembershipReadAllKey", ("DeploymentId", "c3"));
        Assert.Equal(20, rows.Count);
        Assert.All(rows, row => Assert.Equal(20, row["Version"]));
    }

    [Fact]
    public async Task A_row_read_finds_one_silo_or_only_the_version()
    {
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c4"));
        await InsertAsync("c4", port: 11111, version: 0);
        await InsertAsync("c4", port: 11112, version: 1);

        var found = Assert.Single(await ReadAsync("MembershipReadRowKey", Silo("c4", 11112)));
        var missing = Assert.Single(await ReadAsync("MembershipReadRowKey", Silo("c4", 11113)));

        Assert.Equal(11112, found["Port"]);
        Assert.Equal(2, missing["Version"]);
        Assert.Equal(DBNull.Value, missing["Port"]);
    }

    [Fact]
    public async Task Gateways_are_the_active_silos_of_the_cluster_and_liveness_updates_change_no_version()
    {
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c5"));
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "other"));
        await InsertAsync("c5", port: 11111, version: 0, status: Active);
        await InsertAsync("c5", port: 11112, version: 1, status: Joining);
        await InsertAsync("other", port: 11113, version: 0, status: Active);
        var alive = Started.AddMinutes(5);

        await ExecuteAsync("UpdateIAmAlivetimeKey", [.. Silo("c5", 11111), ("IAmAliveTime", alive)]);

        var gateways = await ReadAsync("GatewaysQueryKey", ("DeploymentId", "c5"), ("Status", Active));
        var gateway = Assert.Single(gateways);
        Assert.Equal(("127.0.0.1", 30000), ((string)gateway["Address"], (int)gateway["ProxyPort"]));
        var rows = await ReadAsync("MembershipReadRowKey", Silo("c5", 11111));
        Assert.Equal(alive, ((DateTime)Assert.Single(rows)["IAmAliveTime"]).ToUniversalTime());
        Assert.Equal(2, rows[0]["Version"]);
    }

    [Fact]
    public async Task Cleanup_removes_only_stale_silos_that_are_not_active_and_delete_only_its_cluster()
    {
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "c6"));
        await BooleanAsync("InsertMembershipVersionKey", ("DeploymentId", "kept"));
        await InsertAsync("c6", port: 1, version: 0, status: Dead);
        await InsertAsync("c6", port: 2, version: 1, status: Active);
        await InsertAsync("kept", port: 3, version: 0, status: Dead);

        await ExecuteAsync("CleanupDefunctSiloEntriesKey", ("DeploymentId", "c6"), ("IAmAliveTime", Started.AddHours(1)));

        Assert.Equal([2], (await ReadAsync("MembershipReadAllKey", ("DeploymentId", "c6"))).Select(row => (int)row["Port"]));

        await ExecuteAsync("DeleteMembershipTableEntriesKey", ("DeploymentId", "c6"));

        Assert.Empty(await ReadAsync("MembershipReadAllKey", ("DeploymentId", "c6")));
        Assert.Single(await ReadAsync("MembershipReadAllKey", ("DeploymentId", "kept")));
    }

    private static (string, object)[] Silo(string cluster, int port) =>
        [("DeploymentId", cluster), ("Address", "127.0.0.1"), ("Port", port), ("Generation", 7)];

    private Task<bool> InsertAsync(string cluster, int port, int version, int status = Joining) => BooleanAsync("InsertMembershipKey",
        [.. Silo(cluster, port), ("SiloName", $"silo-{port}"), ("HostName", "host"), ("Status", status), ("ProxyPort", 30000),
            ("StartTime", Started), ("IAmAliveTime", Started), ("Version", version)]);

    private Task<bool> UpdateAsync(string cluster, int port, int status, int version) => BooleanAsync("UpdateMembershipKey",
        [.. Silo(cluster, port), ("Status", status), ("SuspectTimes", DBNull.Value), ("IAmAliveTime", Started), ("Version", version)]);

    private async Task<bool> BooleanAsync(string key, params (string Name, object Value)[] parameters)
    {
        var row = Assert.Single(await ReadAsync(key, parameters));
        return Assert.IsType<bool>(Assert.Single(row.Values));
    }

    private async Task<List<Dictionary<string, object>>> ReadAsync(string key, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(key, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object>>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue));
        }
        return rows;
    }

    private async Task ExecuteAsync(string key, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(key, parameters);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The stored query, with parameters added as the provider adds them: by name, typed by value.</summary>
    private NpgsqlCommand Command(string key, (string Name, object Value)[] parameters)
    {
        var command = source.CreateCommand(queries[key]);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }
}
