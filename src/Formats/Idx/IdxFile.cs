using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansPigmm.Formats.Idx;

/// <summary>
/// Reader of the IDX format of LeCun's MNIST distribution: a big-endian magic 0x0000TTDD (TT the
/// element type, 0x08 for unsigned bytes; DD the number of dimensions), DD big-endian 32-bit sizes,
/// then the elements in C order. Files ending in ".gz" are decompressed first.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    /// <summary>Reads an image file (unsigned bytes, 3 dimensions: count, rows, columns).</summary>
    /// <exception cref="IdxFormatException">Wrong magic, type or rank, or the length does not match the dimensions.</exception>
    public static (int Count, int Rows, int Columns, byte[] Pixels) ReadImages(string path)
    {
        var (dims, data) = Read(path, 3, "an image file (magic 0x00000803)");
        if (dims[1] == 0 || dims[2] == 0)
        {
            throw new IdxFormatException(path, $"declares images of {dims[1]}x{dims[2]} pixels");
        }
        return (dims[0], dims[1], dims[2], data);
    }

    /// <summary>Reads a label file (unsigned bytes, 1 dimension).</summary>
    /// <exception cref="IdxFormatException">Wrong magic, type or rank, or the length does not match the dimension.</exception>
    public static byte[] ReadLabels(string path) => Read(path, 1, "a label file (magic 0x00000801)").Data;

    private static (int[] Dims, byte[] Data) Read(string path, int rank, string expected)
    {
        byte[] bytes = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Decompress(path) : File.ReadAllBytes(path);
        if (bytes.Length < 4 + 4 * rank)
        {
            throw new IdxFormatException(path, $"is truncated: {bytes.Length} bytes cannot hold the header of {expected}");
        }
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint expectedMagic = (uint)(UnsignedByte << 8 | rank);
        if (magic != expectedMagic)
        {
            throw new IdxFormatException(path, $"has magic 0x{magic:X8}, expected 0x{expectedMagic:X8} for {expected}");
        }
        var dims = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (size > int.MaxValue)
            {
                throw new IdxFormatException(path, $"declares dimension {d} of size {size}, too large");
            }
            dims[d] = (int)size;
            elements *= size;
        }
        int headerLength = 4 + 4 * rank;
        long actual = bytes.Length - headerLength;
        if (actual < elements)
        {
            throw new IdxFormatException(path, $"is truncated: dimensions ({string.Join(", ", dims)}) need {elements} bytes of data, the file has {actual}");
        }
        if (actual > elements)
        {
            throw new IdxFormatException(path, $"has {actual - elements} bytes after the data of dimensions ({string.Join(", ", dims)})");
        }
        return (dims, bytes[headerLength..]);
    }

    private static byte[] Decompress(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        try
        {
            gzip.CopyTo(memory);
        }
        catch (InvalidDataException failure)
        {
            throw new IdxFormatException(path, $"is not a valid gzip file ({failure.Message})");
        }
        return memory.ToArray();
    }
}
