using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Training.Cpu.Kernels;

/// <summary>Where a left operand's element (i, t) lives: <c>a[i * RowStride + t * InnerStride]</c>.
/// A row-major matrix has (ld, 1); its transpose is read with (1, ld).</summary>
internal readonly record struct Strides(int RowStride, int InnerStride);

/// <summary>
/// Dense products of a strided left operand with a row-major right operand, the building block of
/// every dense layer's forward pass, weight gradient and input gradient.
/// </summary>
internal static unsafe class DenseLayerProduct
{
    /// <summary>
    /// Effectively computes <c>destination[i * ldc + n] = E(Σ_{t &lt; inner} a(i, t) · b[t * ldb + n])</c>
    /// for i &lt; rows and n &lt; columns, where E is the epilogue (reading <paramref name="gate"/> at
    /// the destination's position where it needs to).
    /// </summary>
    /// <remarks>Bit-reproducible: every output element is one fused multiply-add chain over t in
    /// increasing order starting from zero, whatever the tile, the vector width, the alignment or
    /// the number of rows, so the result depends only on the operands.</remarks>
    /// <exception cref="ArgumentException">columns is not a multiple of the vector width, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<TOps, TVector, TEpilogue>(
        ReadOnlySpan<float> a, Strides aStrides, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> gate,
        int rows, int inner, int columns, Span<float> destination, int ldc)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TEpilogue : IEpilogue
    {
        if (columns % TOps.Count != 0)
        {
            throw new ArgumentException($"columns ({columns}) must be a multiple of the vector width {TOps.Count}.", nameof(columns));
        }
        if (rows == 0 || columns == 0)
        {
            return;
        }
        Require(a, (long)(rows - 1) * aStrides.RowStride + (long)Math.Max(inner - 1, 0) * aStrides.InnerStride + (inner > 0 ? 1 : 0), nameof(a));
        Require(b, inner == 0 ? 0 : (long)(inner - 1) * ldb + columns, nameof(b));
        Require(destination, (long)(rows - 1) * ldc + columns, nameof(destination));
        if (typeof(TEpilogue) == typeof(GateByPositive))
        {
            Require(gate, (long)(rows - 1) * ldc + columns, nameof(gate));
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pg = gate)
        fixed (float* pc = destination)
        {
            int i = 0;
            for (; i + 4 <= rows; i += 4)
            {
                RowBlock<TOps, TVector, TEpilogue, FourByFour, FourByOne>(pa + (nint)i * aStrides.RowStride, aStrides, pb, ldb, inner, columns, pc + (nint)i * ldc, ldc, pg + (nint)i * ldc);
            }
            for (; i < rows; i++)
            {
                RowBlock<TOps, TVector, TEpilogue, OneByFour, OneByOne>(pa + (nint)i * aStrides.RowStride, aStrides, pb, ldb, inner, columns, pc + (nint)i * ldc, ldc, pg + (nint)i * ldc);
            }
        }
    }

    internal static void Require(ReadOnlySpan<float> span, long needed, string name)
    {
        if (span.Length < needed)
        {
            throw new ArgumentException($"{name} holds {span.Length} elements; the shape needs {needed}.", name);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowBlock<TOps, TVector, TEpilogue, TWide, TNarrow>(
        float* a, Strides aStrides, float* b, int ldb, int inner, int columns, float* c, int ldc, float* gate)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TEpilogue : IEpilogue
        where TWide : ITileShape
        where TNarrow : ITileShape
    {
        int width = TOps.Count;
        int n = 0;
        for (; n + 4 * width <= columns; n += 4 * width)
        {
            Tile<TOps, TVector, TEpilogue, TWide>(a, aStrides, b + n, ldb, inner, c + n, ldc, gate + n);
        }
        for (; n < columns; n += width)
        {
            Tile<TOps, TVector, TEpilogue, TNarrow>(a, aStrides, b + n, ldb, inner, c + n, ldc, gate + n);
        }
    }

    /// <summary>One register tile of up to 4 rows by 4 vectors; unused accumulators are folded away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TOps, TVector, TEpilogue, TShape>(
        float* a, Strides aStrides, float* b, int ldb, int inner, float* c, int ldc, float* gate)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TEpilogue : IEpilogue
        where TShape : ITileShape
    {
        int w = TOps.Count;
        nint rowStride = aStrides.RowStride;
        nint innerStride = aStrides.InnerStride;
        TVector c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero;
        TVector c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero;
        TVector c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c23 = TOps.Zero;
        TVector c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero, c33 = TOps.Zero;
        float* at = a;
        float* bt = b;
        for (int t = 0; t < inner; t++, at += innerStride, bt += ldb)
        {
            TVector b0 = TOps.Load(bt);
            TVector b1 = TShape.Vectors > 1 ? TOps.Load(bt + w) : default;
            TVector b2 = TShape.Vectors > 1 ? TOps.Load(bt + 2 * w) : default;
            TVector b3 = TShape.Vectors > 1 ? TOps.Load(bt + 3 * w) : default;
            RowUpdate<TOps, TVector, TShape>(TOps.Broadcast(at[0]), b0, b1, b2, b3, ref c00, ref c01, ref c02, ref c03);
            if (TShape.Rows > 1)
            {
                RowUpdate<TOps, TVector, TShape>(TOps.Broadcast(at[rowStride]), b0, b1, b2, b3, ref c10, ref c11, ref c12, ref c13);
                RowUpdate<TOps, TVector, TShape>(TOps.Broadcast(at[2 * rowStride]), b0, b1, b2, b3, ref c20, ref c21, ref c22, ref c23);
                RowUpdate<TOps, TVector, TShape>(TOps.Broadcast(at[3 * rowStride]), b0, b1, b2, b3, ref c30, ref c31, ref c32, ref c33);
            }
        }
        StoreRow<TOps, TVector, TEpilogue, TShape>(c, gate, c00, c01, c02, c03);
        if (TShape.Rows > 1)
        {
            StoreRow<TOps, TVector, TEpilogue, TShape>(c + ldc, gate + ldc, c10, c11, c12, c13);
            StoreRow<TOps, TVector, TEpilogue, TShape>(c + 2 * ldc, gate + 2 * ldc, c20, c21, c22, c23);
            StoreRow<TOps, TVector, TEpilogue, TShape>(c + 3 * ldc, gate + 3 * ldc, c30, c31, c32, c33);
        }
    }

    /// <summary>c_v += x · b_v for the tile's vectors of one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowUpdate<TOps, TVector, TShape>(TVector x, TVector b0, TVector b1, TVector b2, TVector b3, ref TVector c0, ref TVector c1, ref TVector c2, ref TVector c3)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TShape : ITileShape
    {
        c0 = TOps.MultiplyAdd(x, b0, c0);
        if (TShape.Vectors > 1)
        {
            c1 = TOps.MultiplyAdd(x, b1, c1);
            c2 = TOps.MultiplyAdd(x, b2, c2);
            c3 = TOps.MultiplyAdd(x, b3, c3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TOps, TVector, TEpilogue, TShape>(float* c, float* gate, TVector v0, TVector v1, TVector v2, TVector v3)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TEpilogue : IEpilogue
        where TShape : ITileShape
    {
        int w = TOps.Count;
        TOps.Store(c, TEpilogue.Apply<TOps, TVector>(v0, gate));
        if (TShape.Vectors > 1)
        {
            TOps.Store(c + w, TEpilogue.Apply<TOps, TVector>(v1, gate + w));
            TOps.Store(c + 2 * w, TEpilogue.Apply<TOps, TVector>(v2, gate + 2 * w));
            TOps.Store(c + 3 * w, TEpilogue.Apply<TOps, TVector>(v3, gate + 3 * w));
        }
    }
}
