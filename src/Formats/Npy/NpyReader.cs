using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Formats.Npy;

/// <summary>
/// Random-access reader of a little-endian, C-ordered float32/float64 .npy file. The header is
/// validated on open, including that the file holds exactly the bytes its shape needs; elements
/// are then read by flat (C-order) index, so that slices of arrays larger than memory can be read.
/// </summary>
public sealed class NpyReader : IDisposable
{
    private readonly FileStream stream;

    private NpyReader(FileStream stream, NpyHeader header, string name)
    {
        this.stream = stream;
        Header = header;
        Name = name;
    }

    /// <summary>The validated header.</summary>
    public NpyHeader Header { get; }

    /// <summary>The file name used in error messages.</summary>
    public string Name { get; }

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="NpyFormatException">Not a supported .npy file, or its length does not match its shape.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NpyReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            var header = NpyHeader.Read(stream, path);
            long available = stream.Length - header.DataOffset;
            if (available < header.DataLength)
            {
                throw new NpyFormatException(path, $"is truncated: shape {header.ShapeText} needs {header.DataLength} bytes of data, the file has {Math.Max(available, 0)}");
            }
            if (available > header.DataLength)
            {
                throw new NpyFormatException(path, $"has {available - header.DataLength} bytes after the data of shape {header.ShapeText}");
            }
            return new NpyReader(stream, header, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length consecutive elements starting at flat
    /// index <paramref name="firstElement"/>, widening float32 to double exactly.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the array.</exception>
    public void Read(long firstElement, Span<double> destination)
    {
        CheckRange(firstElement, destination.Length);
        if (Header.ElementType == NpyElementType.Float64)
        {
            ReadRaw(firstElement, MemoryMarshal.AsBytes(destination));
            FixEndianness(MemoryMarshal.Cast<double, long>(destination));
            return;
        }
        var buffer = ArrayPool<float>.Shared.Rent(destination.Length);
        try
        {
            var floats = buffer.AsSpan(0, destination.Length);
            ReadRaw(firstElement, MemoryMarshal.AsBytes(floats));
            FixEndianness(MemoryMarshal.Cast<float, int>(floats));
            for (int i = 0; i < floats.Length; i++)
            {
                destination[i] = floats[i];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Dispose() => stream.Dispose();

    private void CheckRange(long firstElement, int count)
    {
        if (firstElement < 0 || count < 0 || firstElement + count > Header.ElementCount)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement), $"Elements {firstElement}..{firstElement + count} are outside {Name} (shape {Header.ShapeText}).");
        }
    }

    private void ReadRaw(long firstElement, Span<byte> destination)
    {
        stream.Position = Header.DataOffset + firstElement * Header.ElementSize;
        stream.ReadExactly(destination);
    }

    private static void FixEndianness(Span<long> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }

    private static void FixEndianness(Span<int> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(values, values);
        }
    }
}
