namespace OrleansPigmm.Storage.Sqlite;

/// <summary>Settings of a <see cref="SqliteStore"/>.</summary>
public sealed record SqliteStoreOptions
{
    /// <summary>How long a call waits for another process's write transaction to end before it
    /// fails with <see cref="StoreUnavailableException"/>: more than 0 and at most 1 hour, rounded
    /// up to whole seconds (default 5 s).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
