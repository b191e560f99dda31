using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The dense matrix product used everywhere in this library (graph evaluation, and the
/// yardstick its benchmarks compare against): a register-tiled SIMD kernel for row-major
/// double matrices.
/// </summary>
/// <remarks>
/// Every entry is computed as destination[i][j] = sum over k = 0, 1, ..., inner - 1 of
/// left[i][k] * right[k][j], accumulated in that order with one fused multiply-add per term
/// starting from zero. The result therefore depends only on the values, never on alignment,
/// tiling or vector width: it is bit-reproducible across machines with FMA. NaN and infinities
/// propagate as in IEEE arithmetic.
/// </remarks>
public static class MatrixProduct
{
    /// <summary>
    /// destination = left * right, with left rows x inner, right inner x columns and
    /// destination rows x columns, all row-major (entry [i][j] at i * width + j).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    /// <remarks>destination must not overlap left or right.</remarks>
    public static void Multiply(ReadOnlySpan<double> left, ReadOnlySpan<double> right, Span<double> destination, int rows, int inner, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inner, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        RequireLength(left, (long)rows * inner, nameof(left));
        RequireLength(right, (long)inner * columns, nameof(right));
        RequireLength(destination, (long)rows * columns, nameof(destination));
        MultiplyUnchecked(left, right, destination, rows, inner, columns);
    }

    /// <summary><see cref="Multiply"/> without argument checks, for callers that sized the spans.</summary>
    internal static void MultiplyUnchecked(ReadOnlySpan<double> left, ReadOnlySpan<double> right, Span<double> destination, int rows, int inner, int columns)
    {
        ref readonly double a = ref MemoryMarshal.GetReference(left);
        ref readonly double b = ref MemoryMarshal.GetReference(right);
        ref double c = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated && columns >= Lanes512.Count)
        {
            MultiplyLanes<Lanes512>(in a, in b, ref c, rows, inner, columns);
        }
        else if (columns >= Lanes256.Count)
        {
            MultiplyLanes<Lanes256>(in a, in b, ref c, rows, inner, columns);
        }
        else
        {
            MultiplyScalar(left, right, destination, rows, inner, columns);
        }
    }

    private static void RequireLength(ReadOnlySpan<double> span, long length, string name)
    {
        if (span.Length < length)
        {
            throw new ArgumentException($"The matrix needs {length} entries but the span holds {span.Length}.", name);
        }
    }

    private static void MultiplyScalar(ReadOnlySpan<double> left, ReadOnlySpan<double> right, Span<double> destination, int rows, int inner, int columns)
    {
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++)
                {
                    sum = Math.FusedMultiplyAdd(left[i * inner + k], right[k * columns + j], sum);
                }
                destination[i * columns + j] = sum;
            }
        }
    }

    // Column panels of three registers, then single registers; the last register overlaps the
    // one before when columns is not a multiple of the width. Overlapping entries are computed
    // again by the same operations, so they are rewritten with identical values.
    private static void MultiplyLanes<TL>(ref readonly double a, ref readonly double b, ref double c, int rows, int inner, int columns)
        where TL : struct, ILanes<TL>
    {
        int width = TL.Count;
        int column = 0;
        for (; column + 3 * width <= columns; column += 3 * width)
        {
            Panel<TL, Three>(in a, in b, ref c, rows, inner, columns, column);
        }
        for (; column < columns; column += width)
        {
            Panel<TL, One>(in a, in b, ref c, rows, inner, columns, Math.Min(column, columns - width));
        }
    }

    // Row blocks of four, the last one overlapping likewise; fewer than four rows go one by one.
    private static void Panel<TL, TWidth>(ref readonly double a, ref readonly double b, ref double c, int rows, int inner, int columns, int column)
        where TL : struct, ILanes<TL>
        where TWidth : struct, IConstant
    {
        if (rows < 4)
        {
            for (int row = 0; row < rows; row++)
            {
                Tile<TL, One, TWidth>(in a, in b, ref c, inner, columns, row, column);
            }
            return;
        }
        for (int row = 0; row < rows; row += 4)
        {
            Tile<TL, Four, TWidth>(in a, in b, ref c, inner, columns, Math.Min(row, rows - 4), column);
        }
    }

    // A tile of THeight rows (1 or 4) by TWidth registers (1 or 3) held in registers across the
    // whole inner loop; the constants are JIT-time, so unused accumulators vanish.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TL, THeight, TWidth>(ref readonly double a, ref readonly double b, ref double c, int inner, int columns, int row, int column)
        where TL : struct, ILanes<TL>
        where THeight : struct, IConstant
        where TWidth : struct, IConstant
    {
        int width = TL.Count;
        TL c00 = TL.Zero, c01 = TL.Zero, c02 = TL.Zero;
        TL c10 = TL.Zero, c11 = TL.Zero, c12 = TL.Zero;
        TL c20 = TL.Zero, c21 = TL.Zero, c22 = TL.Zero;
        TL c30 = TL.Zero, c31 = TL.Zero, c32 = TL.Zero;
        nint aRow = (nint)row * inner;
        nint bRow = column;
        for (int k = 0; k < inner; k++, bRow += columns)
        {
            TL b0 = TL.Load(in b, bRow);
            TL b1 = TWidth.Value > 1 ? TL.Load(in b, bRow + width) : TL.Zero;
            TL b2 = TWidth.Value > 1 ? TL.Load(in b, bRow + 2 * width) : TL.Zero;
            TL a0 = TL.Broadcast(Unsafe.Add(ref Unsafe.AsRef(in a), aRow + k));
            c00 = TL.MultiplyAdd(a0, b0, c00);
            if (TWidth.Value > 1)
            {
                c01 = TL.MultiplyAdd(a0, b1, c01);
                c02 = TL.MultiplyAdd(a0, b2, c02);
            }
            if (THeight.Value > 1)
            {
                TL a1 = TL.Broadcast(Unsafe.Add(ref Unsafe.AsRef(in a), aRow + inner + k));
                TL a2 = TL.Broadcast(Unsafe.Add(ref Unsafe.AsRef(in a), aRow + 2 * inner + k));
                TL a3 = TL.Broadcast(Unsafe.Add(ref Unsafe.AsRef(in a), aRow + 3 * inner + k));
                c10 = TL.MultiplyAdd(a1, b0, c10);
                c20 = TL.MultiplyAdd(a2, b0, c20);
                c30 = TL.MultiplyAdd(a3, b0, c30);
                if (TWidth.Value > 1)
                {
                    c11 = TL.MultiplyAdd(a1, b1, c11);
                    c12 = TL.MultiplyAdd(a1, b2, c12);
                    c21 = TL.MultiplyAdd(a2, b1, c21);
                    c22 = TL.MultiplyAdd(a2, b2, c22);
                    c31 = TL.MultiplyAdd(a3, b1, c31);
                    c32 = TL.MultiplyAdd(a3, b2, c32);
                }
            }
        }
        nint cRow = (nint)row * columns + column;
        StoreRow<TL, TWidth>(ref c, cRow, c00, c01, c02);
        if (THeight.Value > 1)
        {
            StoreRow<TL, TWidth>(ref c, cRow + columns, c10, c11, c12);
            StoreRow<TL, TWidth>(ref c, cRow + 2 * columns, c20, c21, c22);
            StoreRow<TL, TWidth>(ref c, cRow + 3 * columns, c30, c31, c32);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TL, TWidth>(ref double c, nint offset, TL first, TL second, TL third)
        where TL : struct, ILanes<TL>
        where TWidth : struct, IConstant
    {
        TL.Store(first, ref c, offset);
        if (TWidth.Value > 1)
        {
            TL.Store(second, ref c, offset + TL.Count);
            TL.Store(third, ref c, offset + 2 * TL.Count);
        }
    }
}
