using OrleansPigmm.Storage.Postgres;
using OrleansPigmm.Storage.Sqlite;

namespace OrleansPigmm.Storage;

/// <summary>The one way in to a store from a command line or configuration: a PostgreSQL URL
/// (postgres://USER@HOST:PORT/DB or postgresql://...) opens the PostgreSQL backend, anything else
/// is the path of a SQLite file.</summary>
public static class PigmmStores
{
    /// <summary>Opens the store <paramref name="storeArgument"/> names.</summary>
    /// <exception cref="ArgumentException">The argument is blank, or a malformed PostgreSQL URL.</exception>
    /// <exception cref="StoreUnavailableException">The store cannot be opened.</exception>
    public static IPigmmStore Open(string storeArgument, PostgresStoreOptions? postgresOptions = null, SqliteStoreOptions? sqliteOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeArgument);
        return IsPostgres(storeArgument)
            ? PostgresStore.Open(storeArgument, postgresOptions)
            : SqliteStore.Open(storeArgument, sqliteOptions);
    }

    /// <summary>Whether <paramref name="storeArgument"/> names a PostgreSQL store.</summary>
    public static bool IsPostgres(string storeArgument) => PostgresLocation.IsUrl(storeArgument);
}
