using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>Transposition of square row-major double matrices (a pure data move, so every path
/// gives identical results).</summary>
internal static class MatrixTranspose
{
    private const int Block = 8;

    /// <summary>destination[j][i] = source[i][j] for an n x n matrix; the spans must not overlap.</summary>
    public static void Transpose(ReadOnlySpan<double> source, Span<double> destination, int n)
    {
        if (Avx512F.IsSupported)
        {
            TransposeBlocks(source, destination, n);
        }
        else
        {
            TransposeScalar(source, destination, n, 0);
        }
    }

    /// <summary>The portable path: element by element, rows and columns from
    /// <paramref name="start"/> on (entries with both indices below it are left alone).</summary>
    internal static void TransposeScalar(ReadOnlySpan<double> source, Span<double> destination, int n, int start)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = i < start ? start : 0; j < n; j++)
            {
                destination[j * n + i] = source[i * n + j];
            }
        }
    }

    // 8 x 8 blocks moved through registers; the strip of rows and columns beyond the last full
    // block goes element by element.
    private static void TransposeBlocks(ReadOnlySpan<double> source, Span<double> destination, int n)
    {
        int full = n / Block * Block;
        ref double s = ref MemoryMarshal.GetReference(source);
        ref double d = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < full; i += Block)
        {
            for (int j = 0; j < full; j += Block)
            {
                TransposeBlock(ref Unsafe.Add(ref s, (nint)i * n + j), n, ref Unsafe.Add(ref d, (nint)j * n + i), n);
            }
        }
        TransposeScalar(source, destination, n, full);
    }

    /// <summary>
    /// The 8 x 8 block at <paramref name="source"/> (rows <paramref name="sourceStride"/> apart)
    /// transposed into the block at <paramref name="destination"/> (rows
    /// <paramref name="destinationStride"/> apart), through registers. Requires AVX-512.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void TransposeBlock(ref double source, int sourceStride, ref double destination, int destinationStride)
    {
        nuint stride = (nuint)sourceStride;
        var r0 = Vector512.LoadUnsafe(ref source, 0);
        var r1 = Vector512.LoadUnsafe(ref source, stride);
        var r2 = Vector512.LoadUnsafe(ref source, 2 * stride);
        var r3 = Vector512.LoadUnsafe(ref source, 3 * stride);
        var r4 = Vector512.LoadUnsafe(ref source, 4 * stride);
        var r5 = Vector512.LoadUnsafe(ref source, 5 * stride);
        var r6 = Vector512.LoadUnsafe(ref source, 6 * stride);
        var r7 = Vector512.LoadUnsafe(ref source, 7 * stride);
        // Pairs of rows interleaved: even columns in t0, t2, ..., odd columns in t1, t3, ...
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        // Four rows per half: u0 holds columns 0 and 4 of rows 0..3, u2 columns 2 and 6, ...
        var firstPairs = Vector512.Create(0L, 1, 8, 9, 4, 5, 12, 13);
        var secondPairs = Vector512.Create(2L, 3, 10, 11, 6, 7, 14, 15);
        var u0 = Avx512F.PermuteVar8x64x2(t0, firstPairs, t2);
        var u2 = Avx512F.PermuteVar8x64x2(t0, secondPairs, t2);
        var u1 = Avx512F.PermuteVar8x64x2(t1, firstPairs, t3);
        var u3 = Avx512F.PermuteVar8x64x2(t1, secondPairs, t3);
        var u4 = Avx512F.PermuteVar8x64x2(t4, firstPairs, t6);
        var u6 = Avx512F.PermuteVar8x64x2(t4, secondPairs, t6);
        var u5 = Avx512F.PermuteVar8x64x2(t5, firstPairs, t7);
        var u7 = Avx512F.PermuteVar8x64x2(t5, secondPairs, t7);
        nuint target = (nuint)destinationStride;
        var lowHalves = Vector512.Create(0L, 1, 2, 3, 8, 9, 10, 11);
        var highHalves = Vector512.Create(4L, 5, 6, 7, 12, 13, 14, 15);
        Avx512F.PermuteVar8x64x2(u0, lowHalves, u4).StoreUnsafe(ref destination, 0);
        Avx512F.PermuteVar8x64x2(u1, lowHalves, u5).StoreUnsafe(ref destination, target);
        Avx512F.PermuteVar8x64x2(u2, lowHalves, u6).StoreUnsafe(ref destination, 2 * target);
        Avx512F.PermuteVar8x64x2(u3, lowHalves, u7).StoreUnsafe(ref destination, 3 * target);
        Avx512F.PermuteVar8x64x2(u0, highHalves, u4).StoreUnsafe(ref destination, 4 * target);
        Avx512F.PermuteVar8x64x2(u1, highHalves, u5).StoreUnsafe(ref destination, 5 * target);
        Avx512F.PermuteVar8x64x2(u2, highHalves, u6).StoreUnsafe(ref destination, 6 * target);
        Avx512F.PermuteVar8x64x2(u3, highHalves, u7).StoreUnsafe(ref destination, 7 * target);
    }
}
