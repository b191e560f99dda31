using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>Reductions over short and long double arrays without call or setup overhead.</summary>
internal static class VectorKernels
{
    /// <summary>
    /// sum_i x[i] y[i] over <paramref name="length"/> entries: two registers accumulate
    /// alternate blocks, a final partial register is masked. The order of additions depends only
    /// on the length and the SIMD width (4 lanes below 32 entries, where summing the lanes of a
    /// wider register costs more than it saves, otherwise the widest available).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ref readonly double x, ref readonly double y, int length)
    {
        if (Vector512.IsHardwareAccelerated && length >= 4 * Lanes512.Count)
        {
            return Dot<Lanes512>(in x, in y, length);
        }
        if (length >= Lanes256.Count)
        {
            return Dot<Lanes256>(in x, in y, length);
        }
        double sum = 0;
        for (int i = 0; i < length; i++)
        {
            sum = Math.FusedMultiplyAdd(Unsafe.Add(ref Unsafe.AsRef(in x), i), Unsafe.Add(ref Unsafe.AsRef(in y), i), sum);
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot<TL>(ref readonly double x, ref readonly double y, int length)
        where TL : struct, ILanes<TL>
    {
        int width = TL.Count;
        TL even = TL.Zero, odd = TL.Zero;
        nint i = 0;
        for (; i + 2 * width <= length; i += 2 * width)
        {
            even = TL.MultiplyAdd(TL.Load(in x, i), TL.Load(in y, i), even);
            odd = TL.MultiplyAdd(TL.Load(in x, i + width), TL.Load(in y, i + width), odd);
        }
        if (i + width <= length)
        {
            even = TL.MultiplyAdd(TL.Load(in x, i), TL.Load(in y, i), even);
            i += width;
        }
        if (i < length)
        {
            // The last register overlaps entries already added: keep only the new ones.
            nint start = length - width;
            odd = TL.MultiplyAdd(TL.ZeroBelow(TL.Load(in x, start), (int)(i - start)), TL.Load(in y, start), odd);
        }
        return TL.Sum(even + odd);
    }

    /// <summary>destination[i] = x[i] y[i] for i &lt; x.Length (at least 4); destination must not
    /// overlap the inputs.</summary>
    public static void Multiply(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        if (Vector512.IsHardwareAccelerated && x.Length >= Lanes512.Count)
        {
            Multiply<Lanes512>(x, y, destination);
        }
        else
        {
            Multiply<Lanes256>(x, y, destination);
        }
    }

    // The last register overlaps the one before and rewrites its entries with identical values.
    private static void Multiply<TL>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
        where TL : struct, ILanes<TL>
    {
        ref readonly double left = ref MemoryMarshal.GetReference(x);
        ref readonly double right = ref MemoryMarshal.GetReference(y);
        ref double result = ref MemoryMarshal.GetReference(destination);
        int length = x.Length;
        for (int i = 0; i < length; i += TL.Count)
        {
            nint start = Math.Min(i, length - TL.Count);
            TL.Store(TL.Load(in left, start) * TL.Load(in right, start), ref result, start);
        }
    }

    /// <summary>
    /// destination[x] = sum_z a[z][x] b[z][x] w[z] for n x n row-major a, b (n &gt;= 4): column
    /// sums of the entrywise product a o b weighted by w, accumulated over z = 0..n-1 in order.
    /// </summary>
    public static void WeightedColumnSums(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> weights, Span<double> destination, int n)
    {
        if (Vector512.IsHardwareAccelerated && n >= Lanes512.Count)
        {
            WeightedColumnSums<Lanes512>(a, b, weights, destination, n);
        }
        else
        {
            WeightedColumnSums<Lanes256>(a, b, weights, destination, n);
        }
    }

    // One register of columns at a time, the last overlapping the one before: overlapping
    // columns are computed again by the same operations and rewritten with identical values.
    private static void WeightedColumnSums<TL>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> weights, Span<double> destination, int n)
        where TL : struct, ILanes<TL>
    {
        ref readonly double left = ref MemoryMarshal.GetReference(a);
        ref readonly double right = ref MemoryMarshal.GetReference(b);
        for (int column = 0; column < n; column += TL.Count)
        {
            nint start = Math.Min(column, n - TL.Count);
            TL sum = TL.Zero;
            nint offset = start;
            for (int z = 0; z < n; z++, offset += n)
            {
                sum = TL.MultiplyAdd(TL.Load(in left, offset) * TL.Load(in right, offset), TL.Broadcast(weights[z]), sum);
            }
            TL.Store(sum, ref MemoryMarshal.GetReference(destination), start);
        }
    }
}
