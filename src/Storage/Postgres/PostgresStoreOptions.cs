namespace OrleansPigmm.Storage.Postgres;

/// <summary>Settings of a <see cref="PostgresStore"/>. The password never comes from the URL:
/// it is read from <see cref="PasswordFile"/> if one is named, else from the PGPASSWORD
/// environment variable; a server that trusts the connection needs none.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>A file whose first line is the password (its line ending dropped), or null.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>How long opening a connection may take before the call fails with
    /// <see cref="StoreUnavailableException"/>: 1 s to 1024 s, whole seconds (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The database schema that holds the store's tables (default "pigmm"): lowercase
    /// letters, digits and underscores, starting with a letter or underscore, at most 50
    /// characters. Several stores may share a database in schemas of their own.</summary>
    public string Schema { get; init; } = PostgresSchema.DefaultName;

    /// <summary>How long one statement may run: 1 s to 1 hour, whole seconds (default 5 minutes).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
