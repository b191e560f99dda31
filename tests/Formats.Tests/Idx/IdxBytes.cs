using System.Buffers.Binary;

namespace OrleansPigmm.Formats.Tests.Idx;

/// <summary>Builds IDX files in memory: a big-endian magic, the dimensions, then filler data.</summary>
internal static class IdxBytes
{
    /// <summary>An IDX file with <paramref name="magic"/>, <paramref name="dims"/> and
    /// <paramref name="dataBytes"/> bytes of data (which need not match the dimensions).</summary>
    public static byte[] Of(uint magic, int[] dims, int dataBytes)
    {
        var bytes = new byte[4 + 4 * dims.Length + dataBytes];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int d = 0; d < dims.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        }
        for (int i = 4 + 4 * dims.Length; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 % 3 == 0 ? 0 : i % 200);
        }
        return bytes;
    }
}
