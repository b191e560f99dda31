using System.Buffers;

namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>
/// Scratch memory for one computation: the caller's stack buffer when the length fits in it,
/// otherwise an array rented from the shared pool and returned on <see cref="Dispose"/>, so that
/// repeated calls allocate nothing. Contents are unspecified on entry.
/// </summary>
internal ref struct ScratchLease
{
    /// <summary>Scratch lengths up to this many doubles (16 KiB) go on the stack.</summary>
    public const int StackLimit = 2048;

    private double[]? rented;

    /// <summary>Leases <paramref name="length"/> doubles, using <paramref name="stack"/> when it is long enough.</summary>
    public ScratchLease(int length, Span<double> stack)
    {
        if (stack.Length >= length)
        {
            Span = stack[..length];
        }
        else
        {
            rented = ArrayPool<double>.Shared.Rent(length);
            Span = rented.AsSpan(0, length);
        }
    }

    /// <summary>The scratch memory.</summary>
    public Span<double> Span { get; }

    /// <summary>Returns a rented array to the pool.</summary>
    public void Dispose()
    {
        if (rented is not null)
        {
            ArrayPool<double>.Shared.Return(rented);
            rented = null;
        }
    }
}
