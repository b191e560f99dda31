namespace OrleansPigmm.Storage;

/// <summary>Instants are stored to the whole microsecond (UTC), the precision PostgreSQL keeps,
/// so that every backend returns the same values.</summary>
internal static class StoredTime
{
    public static long ToMicroseconds(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicroseconds(long microseconds) => DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);

    /// <summary><paramref name="instant"/> in UTC with its ticks finer than a microsecond dropped: what a store returns.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant) => FromMicroseconds(ToMicroseconds(instant));
}
