using MathNet.Numerics.LinearAlgebra;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// A small symmetric covariance block (L0 2 x 2, LH 3 x 3) with its symmetric
/// eigendecomposition, from which square roots (sampling, Wasserstein), inverses and log
/// determinants (log-density) are taken.
/// </summary>
internal sealed class SymmetricBlock
{
    private readonly Matrix<double> eigenvectors;

    private SymmetricBlock(Matrix<double> matrix)
    {
        Matrix = matrix;
        var evd = matrix.Evd(Symmetricity.Symmetric);
        Eigenvalues = evd.EigenValues.Real().ToArray();
        eigenvectors = evd.EigenVectors;
        var rootDiagonal = Matrix<double>.Build.DiagonalOfDiagonalArray(Eigenvalues.Select(value => Math.Sqrt(Math.Max(value, 0))).ToArray());
        SquareRoot = eigenvectors * rootDiagonal * eigenvectors.Transpose();
    }

    public Matrix<double> Matrix { get; }

    /// <summary>Eigenvalues, in the order of the eigenvector columns.</summary>
    public double[] Eigenvalues { get; }

    /// <summary>The symmetric square root, eigenvalues below 0 (rounding) clipped to 0.</summary>
    public Matrix<double> SquareRoot { get; }

    public static SymmetricBlock Of(Matrix<double> matrix) => new(matrix);

    /// <summary>tr M^{1/2} for a symmetric PSD matrix M (negative rounding clipped).</summary>
    public static double TraceOfSquareRoot(Matrix<double> symmetric) =>
        symmetric.Evd(Symmetricity.Symmetric).EigenValues.Sum(eigenvalue => Math.Sqrt(Math.Max(eigenvalue.Real, 0)));

    /// <summary>tr(M^{-1} G) for a positive definite block and a symmetric G of the same size.</summary>
    public double InverseTrace(Matrix<double> gram)
    {
        var rotated = eigenvectors.TransposeThisAndMultiply(gram).Multiply(eigenvectors);
        double sum = 0;
        for (int k = 0; k < Eigenvalues.Length; k++)
        {
            sum += rotated[k, k] / Eigenvalues[k];
        }
        return sum;
    }

    /// <summary>log det M for a positive definite block.</summary>
    public double LogDeterminant() => Eigenvalues.Sum(Math.Log);
}
