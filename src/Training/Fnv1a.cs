namespace OrleansPigmm.Training;

/// <summary>The 64-bit FNV-1a hash (Fowler, Noll, Vo): a stable, platform-independent fingerprint of bytes.</summary>
internal static class Fnv1a
{
    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }
}
