using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Storage.Tests.Sqlite;

/// <summary>The store contract, run on a SQLite file in a fresh temporary folder per test.</summary>
public sealed class SqliteStoreContract : StoreContract, IDisposable
{
    private readonly SqliteTestFolder folder = new();

    private string DatabasePath => folder.File("store.db");

    protected override Task<IPigmmStore> OpenStoreAsync() => Task.FromResult<IPigmmStore>(SqliteStore.Open(DatabasePath));

    /// <summary>Keeps a copy of the database files, then deletes them under the open stores.</summary>
    protected override Task TakeDatabaseAwayAsync()
    {
        folder.SetAside(DatabasePath);
        return Task.CompletedTask;
    }

    protected override Task BringDatabaseBackAsync()
    {
        folder.Restore(DatabasePath);
        return Task.CompletedTask;
    }

    public void Dispose() => folder.Dispose();
}
