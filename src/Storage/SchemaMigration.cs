namespace OrleansPigmm.Storage;

/// <summary>One step of a backend's schema: applied once, in order, inside the transaction that
/// records it. Released migrations never change; a new schema is a new migration at the end.</summary>
internal sealed record SchemaMigration(int Version, string Description, string Sql)
{
    /// <summary>The failure when a database's schema is newer than this build knows.</summary>
    public static StoreUnavailableException NewerThanKnown(string store, int version, int knownVersion) => new(store,
        $"it was written by a newer version of OrleansPigmm (schema v{version}; this version knows up to v{knownVersion}); upgrade OrleansPigmm to open it.");
}
