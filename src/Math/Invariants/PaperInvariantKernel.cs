using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OrleansPigmm.Mathematics.Kernels;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The O(n^2) recipes of pigmm-math.md section 5.2 in one pass over W.
/// </summary>
/// <remarks>
/// SIMD lanes run over rows i. For each i the pass accumulates, over j (with a = W[i][j],
/// b = W[j][i], d = diag W), the row quantities r = sum a, c = sum b, qR = sum a^2, qC = sum b^2,
/// p = sum ab, sum a^3, sum a^2 b, sum a b^2, sum b^3, sum a d_j, sum a d_j^2, sum a^2 d_j,
/// sum ab d_j, sum a^4, sum a^3 b, sum a^2 b^2; each block of rows then adds their products with
/// d_i, d_i^2, d_i^3 (and r_i, c_i) to per-lane totals, which are summed over lanes at the end.
/// b comes straight from row j of W; a, a column of W, from a square tile of the block's rows
/// transposed through registers. The last block of rows (and the last tile of columns) overlaps
/// the one before when n is not a multiple of the width; repeated rows are masked out of the
/// totals and repeated columns skipped. The order of every addition depends only on n and on the
/// vector width (256 or 512 bits, chosen from n and the hardware).
/// </remarks>
internal static class PaperInvariantKernel
{
    private const int Total = 0, DR = 1, D2R = 2, D3R = 3, RR = 4;
    private const int DC = 5, D2C = 6, D3C = 7, CC = 8, CR = 9;
    private const int QRow = 10, DQRow = 11, D2QRow = 12, DQColumn = 13, D2QColumn = 14;
    private const int P = 15, DP = 16, D2P = 17;
    private const int Cubes = 18, DCubes = 19, SquaresTimesTranspose = 20, DSquaresTimesTranspose = 21;
    private const int DTransposeSquaresTimesEntry = 22, DColumnCubes = 23;
    private const int DWD = 24, D2WD = 25, DWD2 = 26, DW2D = 27, DPD = 28;
    private const int Fourth = 29, CubeTimesTranspose = 30, SquareTimesTransposeSquare = 31;
    private const int Trace = 32, D2 = 33, D3 = 34, D4 = 35;
    private const int SumCount = 36;

    /// <summary>Doubles of scratch needed besides the matrix: the diagonal.</summary>
    public static long ScratchLength(int n) => n;

    /// <summary>Writes I1..I52 of the n x n row-major <paramref name="w"/> (n &gt;= 4) to destination[0..52).</summary>
    [SkipLocalsInit]
    public static void Compute(ReadOnlySpan<double> w, int n, Span<double> destination, Span<double> scratch)
    {
        var diagonal = scratch[..n];
        for (int i = 0; i < n; i++)
        {
            diagonal[i] = w[i * n + i];
        }
        Span<double> sums = stackalloc double[SumCount];
        if (Vector512.IsHardwareAccelerated && n >= Lanes512.Count)
        {
            Accumulate<Lanes512>(w, diagonal, n, sums);
        }
        else
        {
            Accumulate<Lanes256>(w, diagonal, n, sums);
        }
        Finish(sums, destination);
    }

    [SkipLocalsInit]
    private static void Accumulate<TL>(ReadOnlySpan<double> w, ReadOnlySpan<double> diagonal, int n, Span<double> sums)
        where TL : struct, ILanes<TL>
    {
        int width = TL.Count;
        Span<double> totals = stackalloc double[SumCount * Lanes512.Count];
        ref double total = ref MemoryMarshal.GetReference(totals);
        ref readonly double rows = ref MemoryMarshal.GetReference(w);
        Span<double> tile = stackalloc double[Lanes512.Count * Lanes512.Count];
        ref readonly double columns = ref MemoryMarshal.GetReference(tile);
        for (int start = 0; start < n; start += width)
        {
            int first = Math.Min(start, n - width);
            int repeated = start - first;
            TL r = TL.Zero, c = TL.Zero, qRow = TL.Zero, qColumn = TL.Zero, p = TL.Zero;
            TL cubes = TL.Zero, squaresTimesTranspose = TL.Zero, transposeSquaresTimesEntry = TL.Zero, columnCubes = TL.Zero;
            TL wd = TL.Zero, wd2 = TL.Zero, w2d = TL.Zero, pd = TL.Zero;
            TL fourth = TL.Zero, cubeTimesTranspose = TL.Zero, squareTimesTransposeSquare = TL.Zero;
            for (int tileStart = 0; tileStart < n; tileStart += width)
            {
                int tileFirst = Math.Min(tileStart, n - width);
                TransposeTile(w, n, first, tileFirst, tile, width);
                for (int j = tileStart; j < tileFirst + width; j++)
                {
                    // a[lane] = W[first + lane][j] (tile row j - tileFirst), b[lane] = W[j][first + lane].
                    TL a = TL.Load(in columns, (nint)(j - tileFirst) * width);
                    TL b = TL.Load(in rows, (nint)j * n + first);
                    double dj = Unsafe.Add(ref Unsafe.AsRef(in rows), (nint)j * n + j);
                    TL dJ = TL.Broadcast(dj), dJ2 = TL.Broadcast(dj * dj);
                    TL a2 = a * a, b2 = b * b, ab = a * b;
                    r += a;
                    c += b;
                    qRow += a2;
                    qColumn += b2;
                    p += ab;
                    cubes = TL.MultiplyAdd(a2, a, cubes);
                    squaresTimesTranspose = TL.MultiplyAdd(a2, b, squaresTimesTranspose);
                    transposeSquaresTimesEntry = TL.MultiplyAdd(b2, a, transposeSquaresTimesEntry);
                    columnCubes = TL.MultiplyAdd(b2, b, columnCubes);
                    wd = TL.MultiplyAdd(a, dJ, wd);
                    wd2 = TL.MultiplyAdd(a, dJ2, wd2);
                    w2d = TL.MultiplyAdd(a2, dJ, w2d);
                    pd = TL.MultiplyAdd(ab, dJ, pd);
                    fourth = TL.MultiplyAdd(a2, a2, fourth);
                    cubeTimesTranspose = TL.MultiplyAdd(a2, ab, cubeTimesTranspose);
                    squareTimesTransposeSquare = TL.MultiplyAdd(ab, ab, squareTimesTransposeSquare);
                }
            }
            TL d = TL.ZeroBelow(TL.Load(in MemoryMarshal.GetReference(diagonal), first), repeated);
            TL d2 = d * d, d3 = d2 * d;
            r = TL.ZeroBelow(r, repeated);
            c = TL.ZeroBelow(c, repeated);
            qRow = TL.ZeroBelow(qRow, repeated);
            p = TL.ZeroBelow(p, repeated);
            cubes = TL.ZeroBelow(cubes, repeated);
            squaresTimesTranspose = TL.ZeroBelow(squaresTimesTranspose, repeated);
            fourth = TL.ZeroBelow(fourth, repeated);
            cubeTimesTranspose = TL.ZeroBelow(cubeTimesTranspose, repeated);
            squareTimesTransposeSquare = TL.ZeroBelow(squareTimesTransposeSquare, repeated);
            // Quantities only ever weighted by the (masked) diagonal need no mask of their own.
            Add(ref total, start == 0, Total, r);
            Add(ref total, start == 0, DR, d * r);
            Add(ref total, start == 0, D2R, d2 * r);
            Add(ref total, start == 0, D3R, d3 * r);
            Add(ref total, start == 0, RR, r * r);
            Add(ref total, start == 0, DC, d * c);
            Add(ref total, start == 0, D2C, d2 * c);
            Add(ref total, start == 0, D3C, d3 * c);
            Add(ref total, start == 0, CC, c * c);
            Add(ref total, start == 0, CR, c * r);
            Add(ref total, start == 0, QRow, qRow);
            Add(ref total, start == 0, DQRow, d * qRow);
            Add(ref total, start == 0, D2QRow, d2 * qRow);
            Add(ref total, start == 0, DQColumn, d * qColumn);
            Add(ref total, start == 0, D2QColumn, d2 * qColumn);
            Add(ref total, start == 0, P, p);
            Add(ref total, start == 0, DP, d * p);
            Add(ref total, start == 0, D2P, d2 * p);
            Add(ref total, start == 0, Cubes, cubes);
            Add(ref total, start == 0, DCubes, d * cubes);
            Add(ref total, start == 0, SquaresTimesTranspose, squaresTimesTranspose);
            Add(ref total, start == 0, DSquaresTimesTranspose, d * squaresTimesTranspose);
            Add(ref total, start == 0, DTransposeSquaresTimesEntry, d * transposeSquaresTimesEntry);
            Add(ref total, start == 0, DColumnCubes, d * columnCubes);
            Add(ref total, start == 0, DWD, d * wd);
            Add(ref total, start == 0, D2WD, d2 * wd);
            Add(ref total, start == 0, DWD2, d * wd2);
            Add(ref total, start == 0, DW2D, d * w2d);
            Add(ref total, start == 0, DPD, d * pd);
            Add(ref total, start == 0, Fourth, fourth);
            Add(ref total, start == 0, CubeTimesTranspose, cubeTimesTranspose);
            Add(ref total, start == 0, SquareTimesTransposeSquare, squareTimesTransposeSquare);
            Add(ref total, start == 0, Trace, d);
            Add(ref total, start == 0, D2, d2);
            Add(ref total, start == 0, D3, d3);
            Add(ref total, start == 0, D4, d2 * d2);
        }
        for (int k = 0; k < SumCount; k++)
        {
            sums[k] = TL.Sum(TL.Load(in total, (nint)k * Lanes512.Count));
        }
    }

    // tile[k * width + lane] = W[rowStart + lane][columnStart + k] for k, lane < width. Inlined:
    // a call would make the accumulators of the caller's loop spill around it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeTile(ReadOnlySpan<double> w, int n, int rowStart, int columnStart, Span<double> tile, int width)
    {
        if (width == Lanes512.Count && Avx512F.IsSupported)
        {
            MatrixTranspose.TransposeBlock(ref MemoryMarshal.GetReference(w[(rowStart * n + columnStart)..]), n, ref MemoryMarshal.GetReference(tile), width);
            return;
        }
        for (int k = 0; k < width; k++)
        {
            for (int lane = 0; lane < width; lane++)
            {
                tile[k * width + lane] = w[(rowStart + lane) * n + columnStart + k];
            }
        }
    }

    // The first block of rows starts the per-lane totals, later blocks add to them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TL>(ref double totals, bool first, int index, TL value)
        where TL : struct, ILanes<TL>
    {
        nint offset = (nint)index * Lanes512.Count;
        TL.Store(first ? value : TL.Load(in totals, offset) + value, ref totals, offset);
    }

    // The table of section 5.2, from the lane-summed totals.
    private static void Finish(ReadOnlySpan<double> s, Span<double> invariant)
    {
        double total = s[Total], trace = s[Trace];
        double total2 = total * total;
        invariant[0] = trace;
        invariant[1] = total;
        invariant[2] = s[QRow];
        invariant[3] = s[P];
        invariant[4] = s[DR];
        invariant[5] = s[DC];
        invariant[6] = s[RR];
        invariant[7] = s[CC];
        invariant[8] = s[CR];
        invariant[9] = total2;
        invariant[10] = s[D2];
        invariant[11] = trace * trace;
        invariant[12] = trace * total;
        invariant[13] = s[D3];
        invariant[14] = s[D2] * trace;
        invariant[15] = s[DWD];
        invariant[16] = s[D2R];
        invariant[17] = s[D2C];
        invariant[18] = s[DQRow];
        invariant[19] = s[DP];
        invariant[20] = s[DQColumn];
        invariant[21] = s[Cubes];
        invariant[22] = s[SquaresTimesTranspose];
        invariant[23] = trace * total2;
        invariant[24] = s[CR] * total;
        invariant[25] = s[CC] * total;
        invariant[26] = s[RR] * total;
        invariant[27] = total2 * total;
        invariant[28] = s[D4];
        invariant[29] = s[D3] * trace;
        invariant[30] = s[D2] * s[D2];
        invariant[31] = s[D3R];
        invariant[32] = s[D3C];
        invariant[33] = s[D2WD];
        invariant[34] = s[DWD2];
        invariant[35] = s[D2QRow];
        invariant[36] = s[D2P];
        invariant[37] = s[D2QColumn];
        invariant[38] = s[DW2D];
        invariant[39] = s[DPD];
        invariant[40] = s[DCubes];
        invariant[41] = s[DSquaresTimesTranspose];
        invariant[42] = s[DTransposeSquaresTimesEntry];
        invariant[43] = s[DColumnCubes];
        invariant[44] = s[Fourth];
        invariant[45] = s[CubeTimesTranspose];
        invariant[46] = s[SquareTimesTransposeSquare];
        invariant[47] = trace * total2 * total;
        invariant[48] = s[CR] * total2;
        invariant[49] = s[CC] * total2;
        invariant[50] = s[RR] * total2;
        invariant[51] = total2 * total2;
    }
}
