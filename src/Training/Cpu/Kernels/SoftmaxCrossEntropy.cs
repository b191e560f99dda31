using System.Runtime.CompilerServices;

namespace OrleansPigmm.Training.Cpu.Kernels;

/// <summary>Softmax cross-entropy of a batch of logits, with its gradient.</summary>
internal static unsafe class SoftmaxCrossEntropy
{
    /// <summary>
    /// For each row r (label y = labels[r]) with logits z = logits[r * ld .. + classes]: the loss
    /// log Σ_i exp(z_i - m) + m - z_y with m = max z (stable log-sum-exp), and the gradient of the
    /// batch mean, <c>delta[r * ld + i] = (softmax(z)_i - [i = y]) / rows</c>, with 0 in the padding
    /// lanes i &gt;= classes. Returns the sum of the row losses (NaN or ∞ if any logit is).
    /// </summary>
    /// <remarks>Bit-reproducible and independent of the vector width: sums over classes run in
    /// class order, and the exponential is the same polynomial in every lane.</remarks>
    /// <exception cref="ArgumentException">ld is not a multiple of the vector width or is below classes,
    /// a label is not below classes, or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float LossAndGradient<TOps, TVector>(ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int classes, int ld, Span<float> delta)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        int rows = labels.Length;
        if (ld % TOps.Count != 0 || ld < classes)
        {
            throw new ArgumentException($"ld ({ld}) must be a multiple of the vector width {TOps.Count} and at least classes ({classes}).", nameof(ld));
        }
        DenseLayerProduct.Require(logits, (long)rows * ld, nameof(logits));
        DenseLayerProduct.Require(delta, (long)rows * ld, nameof(delta));
        foreach (byte label in labels)
        {
            if (label >= classes)
            {
                throw new ArgumentException($"Label {label} is not below the {classes} classes.", nameof(labels));
            }
        }
        int w = TOps.Count;
        float scale = 1f / rows;
        float lossSum = 0f;
        fixed (float* pz = logits)
        fixed (float* pd = delta)
        {
            for (int r = 0; r < rows; r++)
            {
                float* z = pz + (nint)r * ld;
                float* d = pd + (nint)r * ld;
                float max = z[0];
                for (int i = 1; i < classes; i++)
                {
                    max = Math.Max(max, z[i]);
                }
                TVector shift = TOps.Broadcast(max);
                for (int v = 0; v < ld; v += w)
                {
                    TOps.Store(d + v, Exponential.Evaluate<TOps, TVector>(TOps.Subtract(TOps.Load(z + v), shift)));
                }
                float sum = 0f;
                for (int i = 0; i < classes; i++)
                {
                    sum += d[i];
                }
                int label = labels[r];
                lossSum += MathF.Log(sum) + max - z[label];
                TVector factor = TOps.Broadcast(scale / sum);
                for (int v = 0; v < ld; v += w)
                {
                    TOps.Store(d + v, TOps.Multiply(TOps.Load(d + v), factor));
                }
                d[label] -= scale;
                for (int i = classes; i < ld; i++)
                {
                    d[i] = 0f;
                }
            }
        }
        return lossSum;
    }
}

/// <summary>exp(x) for x &lt;= 0 (the shifted logits), within about 1 ulp; below -87.3 it returns 0.</summary>
internal static class Exponential
{
    private const float Log2E = 1.44269504088896341f;

    // Cody-Waite split of ln 2: n * HighLn2 is exact for |n| <= 128.
    private const float HighLn2 = 0.693359375f;
    private const float LowLn2 = -2.12194440e-4f;

    /// <summary>Evaluates exp lane-wise with the same operations in every lane, so a lane's
    /// result does not depend on the vector width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Evaluate<TOps, TVector>(TVector x)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        TVector n = TOps.Round(TOps.Multiply(x, TOps.Broadcast(Log2E)));
        TVector limited = TOps.ZeroBelow(n, TOps.Broadcast(-126f));
        TVector r = TOps.MultiplyAdd(n, TOps.Broadcast(-HighLn2), x);
        r = TOps.MultiplyAdd(n, TOps.Broadcast(-LowLn2), r);
        // Taylor polynomial of degree 7 on |r| <= ln2 / 2: truncation error below 6e-9.
        TVector p = TOps.Broadcast(1f / 5040f);
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f / 720f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f / 120f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f / 24f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f / 6f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(0.5f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f));
        p = TOps.MultiplyAdd(p, r, TOps.Broadcast(1f));
        // Lanes whose exponent would underflow give 0 (n >= -126 keeps 2^n normal).
        return TOps.WherePositive(TOps.Add(n, TOps.Broadcast(127f)), TOps.Multiply(p, TOps.PowerOfTwo(limited)));
    }
}
