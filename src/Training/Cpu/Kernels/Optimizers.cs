using System.Runtime.CompilerServices;

namespace OrleansPigmm.Training.Cpu.Kernels;

/// <summary>
/// Parameter updates. The gradient of row r is <c>gradient[r * ld ..] + offset</c> (the offset
/// carries the dense part of the sparse first layer's gradient; it is zero for other layers), plus
/// weight decay · weight (coupled L2, as PyTorch's weight_decay).
/// </summary>
internal static unsafe class Optimizers
{
    /// <summary>
    /// One Adam step in PyTorch's order of operations: g += λw; m = β1·m + (1-β1)·g;
    /// v = β2·v + (1-β2)·g·g; w -= stepSize · m / (√v / √(1-β2^t) + ε), stepSize = lr / (1-β1^t).
    /// </summary>
    /// <remarks>Lane-wise, so bit-reproducible and independent of the vector width.</remarks>
    /// <exception cref="ArgumentException">ld is not a multiple of the vector width, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adam<TOps, TVector>(AdamCoefficients c, ReadOnlySpan<float> gradient, ReadOnlySpan<float> offset, int rows, int ld, Span<float> weights, Span<float> firstMoment, Span<float> secondMoment)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        DenseLayerProduct.Require(firstMoment, (long)rows * ld, nameof(firstMoment));
        DenseLayerProduct.Require(secondMoment, (long)rows * ld, nameof(secondMoment));
        fixed (float* pm = firstMoment)
        fixed (float* pv = secondMoment)
        {
            Apply<TOps, TVector, AdamRule<TOps, TVector>>(new AdamRule<TOps, TVector>(c, pm, pv), c.WeightDecay, gradient, offset, rows, ld, weights);
        }
    }

    /// <summary>One plain SGD step: w -= lr · (g + λw).</summary>
    /// <remarks>Lane-wise, so bit-reproducible and independent of the vector width.</remarks>
    /// <exception cref="ArgumentException">ld is not a multiple of the vector width, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd<TOps, TVector>(float learningRate, float weightDecay, ReadOnlySpan<float> gradient, ReadOnlySpan<float> offset, int rows, int ld, Span<float> weights)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged =>
        Apply<TOps, TVector, SgdRule<TOps, TVector>>(new SgdRule<TOps, TVector>(TOps.Broadcast(-learningRate)), weightDecay, gradient, offset, rows, ld, weights);

    /// <summary>Effectively computes <c>destination[n] = scale · Σ_{r &lt; rows} matrix[r * ld + n]</c>.</summary>
    /// <remarks>Bit-reproducible and independent of the vector width: row r goes to partial sum
    /// r mod 4 (four chains hide the latency of the additions), combined as (s0 + s1) + (s2 + s3).</remarks>
    /// <exception cref="ArgumentException">ld is not a multiple of the vector width, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScaledColumnSums<TOps, TVector>(ReadOnlySpan<float> matrix, int rows, int ld, float scale, Span<float> destination)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        RequireWidth<TOps, TVector>(ld);
        DenseLayerProduct.Require(matrix, (long)rows * ld, nameof(matrix));
        DenseLayerProduct.Require(destination, ld, nameof(destination));
        int w = TOps.Count;
        fixed (float* pm = matrix)
        fixed (float* pd = destination)
        {
            for (int n = 0; n < ld; n += w)
            {
                TVector s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                float* column = pm + n;
                int r = 0;
                for (; r + 4 <= rows; r += 4, column += 4 * (nint)ld)
                {
                    s0 = TOps.Add(s0, TOps.Load(column));
                    s1 = TOps.Add(s1, TOps.Load(column + ld));
                    s2 = TOps.Add(s2, TOps.Load(column + 2 * (nint)ld));
                    s3 = TOps.Add(s3, TOps.Load(column + 3 * (nint)ld));
                }
                s0 = r < rows ? TOps.Add(s0, TOps.Load(column)) : s0;
                s1 = r + 1 < rows ? TOps.Add(s1, TOps.Load(column + ld)) : s1;
                s2 = r + 2 < rows ? TOps.Add(s2, TOps.Load(column + 2 * (nint)ld)) : s2;
                TVector sum = TOps.Add(TOps.Add(s0, s1), TOps.Add(s2, s3));
                TOps.Store(pd + n, TOps.Multiply(sum, TOps.Broadcast(scale)));
            }
        }
    }

    /// <summary>The update of one element from its weight, its full gradient and its flat index.</summary>
    private interface IUpdateRule<TVector>
    {
        TVector Updated(TVector weight, TVector gradient, nint at);
    }

    private readonly struct AdamRule<TOps, TVector>(AdamCoefficients c, float* firstMoment, float* secondMoment) : IUpdateRule<TVector>
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        private readonly TVector beta1 = TOps.Broadcast(c.Beta1), oneMinusBeta1 = TOps.Broadcast(c.OneMinusBeta1);
        private readonly TVector beta2 = TOps.Broadcast(c.Beta2), oneMinusBeta2 = TOps.Broadcast(c.OneMinusBeta2);
        private readonly TVector step = TOps.Broadcast(-c.StepSize), correction2 = TOps.Broadcast(c.BiasCorrection2Sqrt), epsilon = TOps.Broadcast(c.Epsilon);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Updated(TVector weight, TVector gradient, nint at)
        {
            TVector m = TOps.MultiplyAdd(beta1, TOps.Load(firstMoment + at), TOps.Multiply(oneMinusBeta1, gradient));
            TVector v = TOps.MultiplyAdd(beta2, TOps.Load(secondMoment + at), TOps.Multiply(TOps.Multiply(oneMinusBeta2, gradient), gradient));
            TVector denominator = TOps.Add(TOps.Divide(TOps.Sqrt(v), correction2), epsilon);
            TOps.Store(firstMoment + at, m);
            TOps.Store(secondMoment + at, v);
            return TOps.MultiplyAdd(step, TOps.Divide(m, denominator), weight);
        }
    }

    private readonly struct SgdRule<TOps, TVector>(TVector step) : IUpdateRule<TVector>
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Updated(TVector weight, TVector gradient, nint at) => TOps.MultiplyAdd(step, gradient, weight);
    }

    /// <summary>Runs <paramref name="rule"/> over rows x ld elements with gradient (row) + offset + decay · weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Apply<TOps, TVector, TRule>(TRule rule, float weightDecay, ReadOnlySpan<float> gradient, ReadOnlySpan<float> offset, int rows, int ld, Span<float> weights)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
        where TRule : IUpdateRule<TVector>
    {
        RequireWidth<TOps, TVector>(ld);
        DenseLayerProduct.Require(gradient, (long)rows * ld, nameof(gradient));
        DenseLayerProduct.Require(offset, ld, nameof(offset));
        DenseLayerProduct.Require(weights, (long)rows * ld, nameof(weights));
        TVector decay = TOps.Broadcast(weightDecay);
        int w = TOps.Count;
        fixed (float* pg = gradient)
        fixed (float* po = offset)
        fixed (float* pw = weights)
        {
            for (int r = 0; r < rows; r++)
            {
                nint row = (nint)r * ld;
                for (int n = 0; n < ld; n += w)
                {
                    nint at = row + n;
                    TVector weight = TOps.Load(pw + at);
                    TVector g = TOps.MultiplyAdd(decay, weight, TOps.Add(TOps.Load(pg + at), TOps.Load(po + n)));
                    TOps.Store(pw + at, rule.Updated(weight, g, at));
                }
            }
        }
    }

    private static void RequireWidth<TOps, TVector>(int ld)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        if (ld % TOps.Count != 0)
        {
            throw new ArgumentException($"ld ({ld}) must be a multiple of the vector width {TOps.Count}.", nameof(ld));
        }
    }
}
