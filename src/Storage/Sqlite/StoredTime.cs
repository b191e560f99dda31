namespace OrleansPigmm.Storage.Sqlite;

/// <summary>Instants are stored as whole microseconds since the Unix epoch (UTC), the precision
/// PostgreSQL keeps, so that both backends return the same values.</summary>
internal static class StoredTime
{
    public static long ToMicroseconds(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);
}
