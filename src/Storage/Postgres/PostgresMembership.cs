namespace OrleansPigmm.Storage.Postgres;

/// <summary>
/// Orleans cluster membership kept in a PostgreSQL store's own database and schema (migration 2
/// of <see cref="PostgresSchema"/> creates its tables and the query texts Orleans' ADO.NET
/// clustering reads), so that a cluster needs one database for everything. Silos and consoles
/// hand Orleans the connection string made here.
/// </summary>
public static class PostgresMembership
{
    /// <summary>The ADO.NET invariant Orleans loads the Npgsql provider by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// The connection string Orleans' clustering uses for the store at <paramref name="url"/>:
    /// the store's settings (search path, timeouts, password from the options or PGPASSWORD),
    /// under an application name of its own so that membership traffic is told apart on the
    /// server. It carries the password: hand it to Orleans only, never to a log.
    /// </summary>
    /// <exception cref="ArgumentException">The URL is malformed, or the options out of range.</exception>
    /// <exception cref="StoreUnavailableException">The password file cannot be read.</exception>
    public static string ConnectionString(string url, PostgresStoreOptions? options = null)
    {
        var settings = PostgresStore.ConnectionSettings(PostgresLocation.Parse(url), options ?? new PostgresStoreOptions());
        settings.ApplicationName = "OrleansPigmm membership";
        return settings.ConnectionString;
    }

    /// <summary>What went wrong with the membership database at <paramref name="url"/>, in the
    /// store's words (one line a user can act on, never the password).</summary>
    public static string Problem(string url, Npgsql.NpgsqlException error)
    {
        var location = PostgresLocation.Parse(url);
        return PostgresFailures.Unavailable(location, location.Description, error).Message;
    }
}
