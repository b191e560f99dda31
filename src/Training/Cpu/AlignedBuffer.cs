using System.Runtime.InteropServices;

namespace OrleansPigmm.Training.Cpu;

/// <summary>Zeroed native memory of floats aligned to a cache line, outside the GC heap so the
/// kernels can address it without pinning.</summary>
internal sealed unsafe class AlignedBuffer : IDisposable
{
    private const int Alignment = 64;
    private float* pointer;

    public AlignedBuffer(long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        nuint bytes = (nuint)Math.Max(length, 1) * sizeof(float);
        pointer = (float*)NativeMemory.AlignedAlloc(bytes, Alignment);
        NativeMemory.Clear(pointer, bytes);
    }

    ~AlignedBuffer() => Free();

    public long Length { get; }

    /// <summary>The floats [offset, offset + length).</summary>
    public Span<float> Slice(long offset, long length)
    {
        ObjectDisposedException.ThrowIf(pointer == null, this);
        if (offset < 0 || length < 0 || offset + length > Length || length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + length}) is outside a buffer of {Length} floats.");
        }
        return new Span<float>(pointer + offset, (int)length);
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (pointer != null)
        {
            NativeMemory.AlignedFree(pointer);
            pointer = null;
        }
    }
}
