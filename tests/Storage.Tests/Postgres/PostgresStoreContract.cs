using OrleansPigmm.Storage.Postgres;

namespace OrleansPigmm.Storage.Tests.Postgres;

/// <summary>The store contract, run on PostgreSQL in a fresh database schema per test.</summary>
/// <remarks>The tests of the collection run one at a time, so taking the shared database away
/// affects only the test that does it.</remarks>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreContract(PostgresServerFixture server) : StoreContract
{
    private readonly PostgresStoreOptions options = new() { Schema = PostgresServerFixture.NewSchema() };

    protected override Task<IPigmmStore> OpenStoreAsync() => Task.FromResult<IPigmmStore>(PostgresStore.Open(server.SharedUrl, options));

    /// <summary>Closes every connection to the database and lets none in, so that open stores
    /// lose their connections and cannot connect again.</summary>
    protected override Task TakeDatabaseAwayAsync() => server.TakeSharedDatabaseAwayAsync();

    protected override Task BringDatabaseBackAsync() => server.BringSharedDatabaseBackAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await server.ExecuteInSharedAsync($"DROP SCHEMA {options.Schema} CASCADE");
    }
}
