using System.Buffers.Binary;
using System.Numerics;

namespace OrleansPigmm.Mathematics;

/// <summary>CRC-32C (Castagnoli, as in iSCSI, ext4 and PostgreSQL's WAL): initial value and final
/// XOR 0xFFFFFFFF; the check value of the ASCII bytes "123456789" is 0xE3069283. Hardware
/// accelerated where the CPU has a CRC instruction.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        int i = 0;
        for (; i + sizeof(ulong) <= data.Length; i += sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i)));
        }
        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        return ~crc;
    }
}
