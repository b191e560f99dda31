using System.Runtime.InteropServices;

namespace OrleansPigmm.Storage;

/// <summary>Stored arrays are little-endian IEEE-754 blobs, byte for byte what NumPy's '&lt;f4' and
/// '&lt;f8' hold; copying bytes (never converting values) keeps NaN payloads and -0.0 intact.</summary>
internal static class BlobEncoding
{
    static BlobEncoding()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The store keeps arrays as little-endian blobs and runs only on little-endian machines.");
        }
    }

    public static byte[] FromSingles(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    public static byte[] FromDoubles(ReadOnlySpan<double> values) => MemoryMarshal.AsBytes(values).ToArray();

    public static float[] ToSingles(ReadOnlySpan<byte> blob) => Decode<float>(blob);

    public static double[] ToDoubles(ReadOnlySpan<byte> blob) => Decode<double>(blob);

    private static T[] Decode<T>(ReadOnlySpan<byte> blob) where T : unmanaged
    {
        if (blob.Length % System.Runtime.CompilerServices.Unsafe.SizeOf<T>() != 0)
        {
            throw new InvalidDataException($"A stored {typeof(T).Name} array has {blob.Length} bytes, not a whole number of values.");
        }
        return MemoryMarshal.Cast<byte, T>(blob).ToArray();
    }

    /// <summary>The bytes of <paramref name="memory"/> as an array: its own array when it spans
    /// one whole (no copy), else a copy.</summary>
    public static byte[] AsArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
}
