using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Formats.Npy;

/// <summary>
/// Streams a C-ordered little-endian .npy file of a known shape. Data goes to the partial file of
/// <see cref="AtomicFile"/> and is renamed to PATH by <see cref="Complete"/> once every element has
/// been written, so an interrupted export never leaves a file that looks whole.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    private readonly FileStream stream;
    private readonly string path;
    private long written;
    private bool completed;

    private NpyWriter(string path, NpyElementType elementType, IReadOnlyList<long> shape)
    {
        this.path = path;
        var headerBytes = NpyHeader.Encode(elementType, shape);
        Header = new NpyHeader(elementType, shape.ToArray(), headerBytes.Length);
        stream = new FileStream(AtomicFile.PartialPath(path), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        stream.Write(headerBytes);
    }

    /// <summary>The header being written.</summary>
    public NpyHeader Header { get; }

    /// <summary>Starts a file of the given element type and shape (every dimension >= 0).</summary>
    public static NpyWriter Create(string path, NpyElementType elementType, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"Array dimensions must be >= 0; got ({string.Join(", ", shape)}).");
        }
        return new NpyWriter(path, elementType, shape);
    }

    /// <summary>Appends float32 elements (the file must be float32).</summary>
    public void Write(ReadOnlySpan<float> values)
    {
        Expect(NpyElementType.Float32, values.Length);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var swapped = new int[values.Length];
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values), swapped);
            stream.Write(MemoryMarshal.AsBytes(swapped.AsSpan()));
        }
        written += values.Length;
    }

    /// <summary>Appends float64 elements (the file must be float64).</summary>
    public void Write(ReadOnlySpan<double> values)
    {
        Expect(NpyElementType.Float64, values.Length);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
        }
        else
        {
            var swapped = new long[values.Length];
            BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<double, long>(values), swapped);
            stream.Write(MemoryMarshal.AsBytes(swapped.AsSpan()));
        }
        written += values.Length;
    }

    /// <summary>Flushes the file and moves it into place.</summary>
    /// <exception cref="InvalidOperationException">Fewer elements were written than the shape holds.</exception>
    public void Complete()
    {
        if (written != Header.ElementCount)
        {
            throw new InvalidOperationException($"{path}: {written} of {Header.ElementCount} elements were written for shape {Header.ShapeText}.");
        }
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        AtomicFile.Commit(path);
        completed = true;
    }

    /// <summary>Closes the file; an incomplete one is deleted.</summary>
    public void Dispose()
    {
        if (!completed)
        {
            stream.Dispose();
            AtomicFile.Discard(path);
        }
    }

    private void Expect(NpyElementType type, int count)
    {
        if (type != Header.ElementType)
        {
            throw new InvalidOperationException($"{path} holds {Header.ElementType}, not {type}.");
        }
        if (written + count > Header.ElementCount)
        {
            throw new InvalidOperationException($"{path}: writing {count} more elements exceeds shape {Header.ShapeText}.");
        }
    }
}
