using MathNet.Numerics.LinearAlgebra;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The 2-Wasserstein distance between two PIGMMs of the same n (pigmm-math.md section 9),
/// Gaussians on R^{n^2}. Both covariances are block diagonal in the same irreducible basis, so
/// W2^2 = (f1^A - f1^B)^2 + (f2^A - f2^B)^2 + Bures(L0^A, L0^B) + (n-1) Bures(LH^A, LH^B)
/// + dimV2 (sqrt f12^A - sqrt f12^B)^2 + dimV3 (sqrt f13^A - sqrt f13^B)^2,
/// Bures(X, Y) = tr X + tr Y - 2 tr (X^{1/2} Y X^{1/2})^{1/2}.
/// </summary>
/// <remarks>The paper plots the squared value <see cref="SquaredDistance"/> (its code labels it
/// "Wasserstein distance"); report which one is shown. Rounding makes W2^2 of two equal models
/// a few ulps of the traces, possibly negative; <see cref="Distance"/> clips it at 0.</remarks>
public static class Wasserstein
{
    /// <summary>W2^2 between <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The models have different n.</exception>
    public static double SquaredDistance(PigmmModel a, PigmmModel b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.N != b.N)
        {
            throw new ArgumentException($"The Wasserstein distance needs models of the same matrix size; got n = {a.N} and n = {b.N}.", nameof(b));
        }
        var fa = a.Parameters;
        var fb = b.Parameters;
        double mean = Square(fa.MeanX1 - fb.MeanX1) + Square(fa.MeanX2 - fb.MeanX2);
        double v0 = Bures(a.BlockV0, b.BlockV0);
        double vh = Bures(a.BlockVH, b.BlockVH);
        double v2 = Square(Root(fa.VarianceV2) - Root(fb.VarianceV2));
        double v3 = Square(Root(fa.VarianceV3) - Root(fb.VarianceV3));
        return mean + v0 + (a.N - 1) * vh + a.Size.DimV2 * v2 + a.Size.DimV3 * v3;
    }

    /// <summary>W2 = sqrt(max(W2^2, 0)) between <paramref name="a"/> and <paramref name="b"/>.</summary>
    /// <exception cref="ArgumentException">The models have different n.</exception>
    public static double Distance(PigmmModel a, PigmmModel b) => Math.Sqrt(Math.Max(SquaredDistance(a, b), 0));

    private static double Bures(SymmetricBlock x, SymmetricBlock y)
    {
        Matrix<double> root = x.SquareRoot;
        var product = root * y.Matrix * root;
        // Symmetrise the rounding before the symmetric eigensolver sees it.
        product = (product + product.Transpose()) / 2;
        return x.Matrix.Trace() + y.Matrix.Trace() - 2 * SymmetricBlock.TraceOfSquareRoot(product);
    }

    private static double Root(double variance) => Math.Sqrt(Math.Max(variance, 0));

    private static double Square(double value) => value * value;
}
