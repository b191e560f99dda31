using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace OrleansPigmm.Training.Cpu.Kernels;

/// <summary>
/// A batch of rows of a sparse input matrix in compressed-row form. Row s has the entries
/// offsets[s] &lt;= k &lt; offsets[s + 1]; entry k packs its column in bits 0-15 and a level in
/// bits 16-23, and stands for the value <c>levels[level]</c> (4 bytes an entry
/// instead of 6 halves the memory traffic of a randomly ordered epoch). The rows taken, in order,
/// are <see cref="Rows"/>.
/// </summary>
internal readonly ref struct SparseBatch(ReadOnlySpan<int> offsets, ReadOnlySpan<uint> entries, ReadOnlySpan<float> levels, ReadOnlySpan<int> rows)
{
    public ReadOnlySpan<int> Offsets { get; } = offsets;

    public ReadOnlySpan<uint> Entries { get; } = entries;

    public ReadOnlySpan<float> Levels { get; } = levels;

    public ReadOnlySpan<int> Rows { get; } = rows;
}

/// <summary>
/// The first layer on sparse inputs. An input is x = x0 + s with s sparse (x0 is the value of a
/// blank pixel), so W x = W s + x0 W 1: the dense part is a per-step bias and only the nonzeros of s
/// cost work. The same identity gives the weight gradient Σ_b δ_b x_bᵀ = Σ_b δ_b s_bᵀ + x0 (Σ_b δ_b) 1ᵀ.
/// Weights are stored transposed, one row of <c>ld</c> floats per input unit. Entry columns must
/// be below the input units (<see cref="Data.SparseImages"/> builds them so); the rest is checked.
/// </summary>
internal static unsafe class SparseInputLayer
{
    /// <summary>
    /// Effectively computes <c>destination[r * ldd + n] = relu(Σ_k value(k) · weights[column(k) * ldw + n] + bias[n])</c>
    /// for every batch row r and n &lt; width.
    /// </summary>
    /// <remarks>Bit-reproducible: the entries of a row are summed in four interleaved partial sums
    /// (entry k into sum k mod 4), combined as (s0 + s1) + (s2 + s3), so the order depends only on
    /// the row's own entries, never on the batch, the width or the alignment.</remarks>
    /// <exception cref="ArgumentException">width is not a multiple of the vector width, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TOps, TVector>(SparseBatch batch, int inputUnits, ReadOnlySpan<float> weights, int ldw, ReadOnlySpan<float> bias, int width, Span<float> destination, int ldd)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        Validate<TOps, TVector>(batch, inputUnits, weights, ldw, width, destination, ldd);
        DenseLayerProduct.Require(bias, width, nameof(bias));
        int w = TOps.Count;
        fixed (int* offsets = batch.Offsets)
        fixed (uint* entries = batch.Entries)
        fixed (float* levels = batch.Levels)
        fixed (int* rows = batch.Rows)
        fixed (float* pw = weights)
        fixed (float* pb = bias)
        fixed (float* pd = destination)
        {
            for (int r = 0; r < batch.Rows.Length; r++)
            {
                if (r + PrefetchDistance < batch.Rows.Length)
                {
                    Prefetch(entries, offsets, rows[r + PrefetchDistance]);
                }
                int row = rows[r];
                int start = offsets[row];
                int count = offsets[row + 1] - start;
                int n = 0;
                for (; n + 2 * w <= width; n += 2 * w)
                {
                    ForwardBlock<TOps, TVector, OneByTwo>(entries + start, levels, count, pw + n, ldw, pb + n, pd + (nint)r * ldd + n);
                }
                for (; n < width; n += w)
                {
                    ForwardBlock<TOps, TVector, OneByOne>(entries + start, levels, count, pw + n, ldw, pb + n, pd + (nint)r * ldd + n);
                }
            }
        }
    }

    /// <summary>
    /// Effectively computes <c>gradient[column(k) * ldg + n] += value(k) · delta[r * ldd + n]</c> over
    /// the batch rows r in order and their entries k, for n &lt; width: the sparse part of the
    /// first layer's weight gradient (transposed). Rows of <paramref name="gradient"/> that no
    /// entry touches are left as they are.
    /// </summary>
    /// <remarks>A scatter of read-modify-writes measured faster than transposing the batch first
    /// (a counting sort by column, then register sums): it executes half the instructions.
    /// Bit-reproducible: each gradient element receives its terms in batch order.</remarks>
    /// <exception cref="ArgumentException">width is not a multiple of the vector width, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateGradient<TOps, TVector>(SparseBatch batch, ReadOnlySpan<float> delta, int ldd, int inputUnits, int width, Span<float> gradient, int ldg)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        Validate<TOps, TVector>(batch, inputUnits, gradient, ldg, width, delta, ldd);
        int w = TOps.Count;
        fixed (int* offsets = batch.Offsets)
        fixed (uint* entries = batch.Entries)
        fixed (float* levels = batch.Levels)
        fixed (float* pd = delta)
        fixed (float* pg = gradient)
        {
            int n = 0;
            for (; n + 4 * w <= width; n += 4 * w)
            {
                AccumulateBlock<TOps, TVector, OneByFour>(batch.Rows, offsets, entries, levels, pd + n, ldd, pg + n, ldg);
            }
            for (; n < width; n += w)
            {
                AccumulateBlock<TOps, TVector, OneByOne>(batch.Rows, offsets, entries, levels, pd + n, ldd, pg + n, ldg);
            }
        }
    }

    private static void Validate<TOps, TVector>(SparseBatch batch, int inputUnits, ReadOnlySpan<float> weights, int ldw, int width, ReadOnlySpan<float> rows, int ldr)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        if (width % TOps.Count != 0 || width > ldw || width > ldr)
        {
            throw new ArgumentException($"width ({width}) must be a multiple of the vector width {TOps.Count} and fit the leading dimensions ({ldw}, {ldr}).", nameof(width));
        }
        DenseLayerProduct.Require(weights, (long)inputUnits * ldw, nameof(weights));
        DenseLayerProduct.Require(rows, (long)batch.Rows.Length * ldr, nameof(rows));
        foreach (int row in batch.Rows)
        {
            if ((uint)row >= (uint)(batch.Offsets.Length - 1))
            {
                throw new ArgumentException($"Batch row {row} is outside the {batch.Offsets.Length - 1} rows of the sparse matrix.", nameof(batch));
            }
        }
        DenseLayerProduct.Require(batch.Levels, 256, nameof(batch.Levels));
        if (batch.Offsets.Length == 0 || batch.Offsets[^1] > batch.Entries.Length)
        {
            throw new ArgumentException("The offsets reach beyond the entries.", nameof(batch));
        }
    }

    // Rows ahead whose entries are prefetched: a random epoch order defeats the hardware prefetcher.
    private const int PrefetchDistance = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prefetch(uint* entries, int* offsets, int row)
    {
        if (Sse.IsSupported)
        {
            byte* end = (byte*)(entries + offsets[row + 1]);
            for (byte* line = (byte*)(entries + offsets[row]); line < end; line += 64)
            {
                Sse.Prefetch0(line);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardBlock<TOps, TVector, TShape>(uint* entries, float* levels, int count, float* weights, nint ldw, float* bias, float* destination)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TShape : ITileShape
    {
        int w = TOps.Count;
        TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        TVector t0 = TOps.Zero, t1 = TOps.Zero, t2 = TOps.Zero, t3 = TOps.Zero;
        int k = 0;
        for (; k + 4 <= count; k += 4)
        {
            AddEntry<TOps, TVector, TShape>(entries[k], levels, weights, ldw, ref s0, ref t0);
            AddEntry<TOps, TVector, TShape>(entries[k + 1], levels, weights, ldw, ref s1, ref t1);
            AddEntry<TOps, TVector, TShape>(entries[k + 2], levels, weights, ldw, ref s2, ref t2);
            AddEntry<TOps, TVector, TShape>(entries[k + 3], levels, weights, ldw, ref s3, ref t3);
        }
        // The tail keeps the rule "entry k goes to partial sum k mod 4".
        if (k < count)
        {
            AddEntry<TOps, TVector, TShape>(entries[k], levels, weights, ldw, ref s0, ref t0);
        }
        if (k + 1 < count)
        {
            AddEntry<TOps, TVector, TShape>(entries[k + 1], levels, weights, ldw, ref s1, ref t1);
        }
        if (k + 2 < count)
        {
            AddEntry<TOps, TVector, TShape>(entries[k + 2], levels, weights, ldw, ref s2, ref t2);
        }
        TVector sum = TOps.Add(TOps.Add(s0, s1), TOps.Add(s2, s3));
        TOps.Store(destination, TOps.Relu(TOps.Add(sum, TOps.Load(bias))));
        if (TShape.Vectors > 1)
        {
            TVector second = TOps.Add(TOps.Add(t0, t1), TOps.Add(t2, t3));
            TOps.Store(destination + w, TOps.Relu(TOps.Add(second, TOps.Load(bias + w))));
        }
    }

    /// <summary>Adds one entry's value times its weight row to the partial sums of one or two vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddEntry<TOps, TVector, TShape>(uint entry, float* levels, float* weights, nint ldw, ref TVector first, ref TVector second)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TShape : ITileShape
    {
        float* row = weights + (entry & 0xFFFF) * ldw;
        TVector value = TOps.Broadcast(levels[(entry >> 16) & 0xFF]);
        first = TOps.MultiplyAdd(value, TOps.Load(row), first);
        if (TShape.Vectors > 1)
        {
            second = TOps.MultiplyAdd(value, TOps.Load(row + TOps.Count), second);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateBlock<TOps, TVector, TShape>(ReadOnlySpan<int> rows, int* offsets, uint* entries, float* levels, float* delta, nint ldd, float* gradient, nint ldg)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TShape : ITileShape
    {
        int w = TOps.Count;
        for (int r = 0; r < rows.Length; r++)
        {
            float* d = delta + r * ldd;
            TVector d0 = TOps.Load(d);
            TVector d1 = TShape.Vectors > 1 ? TOps.Load(d + w) : default;
            TVector d2 = TShape.Vectors > 1 ? TOps.Load(d + 2 * w) : default;
            TVector d3 = TShape.Vectors > 1 ? TOps.Load(d + 3 * w) : default;
            int end = offsets[rows[r] + 1];
            for (int k = offsets[rows[r]]; k < end; k++)
            {
                uint e = entries[k];
                float* g = gradient + (e & 0xFFFF) * ldg;
                TVector v = TOps.Broadcast(levels[(e >> 16) & 0xFF]);
                TOps.Store(g, TOps.MultiplyAdd(v, d0, TOps.Load(g)));
                if (TShape.Vectors > 1)
                {
                    TOps.Store(g + w, TOps.MultiplyAdd(v, d1, TOps.Load(g + w)));
                    TOps.Store(g + 2 * w, TOps.MultiplyAdd(v, d2, TOps.Load(g + 2 * w)));
                    TOps.Store(g + 3 * w, TOps.MultiplyAdd(v, d3, TOps.Load(g + 3 * w)));
                }
            }
        }
    }
}
