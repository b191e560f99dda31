using System.Globalization;
using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The 13 parameters f1..f13 of a PIGMM, in the order of pigmm-math.md section 4 (storage,
/// APIs and exports all use it; index 0 holds f1):
/// <list type="bullet">
/// <item>f1, f2 = E[x1], E[x2], the means of the V0 coordinates;</item>
/// <item>L0 = [[f3, f4], [f4, f5]] = Cov(x1, x2);</item>
/// <item>LH = [[f6, f7, f8], [f7, f9, f10], [f8, f10, f11]], LH[a][b] = E[z[a][m] z[b][m]];</item>
/// <item>f12, f13: the variance of every V2 and every V3 coordinate.</item>
/// </list>
/// Immutable; every value is finite. The matrix size n is not part of the parameters (see
/// <see cref="PigmmModel"/>). Validity is checked separately: <see cref="IsProperDensity"/>
/// (L0, LH positive definite and f12, f13 &gt; 0) and <see cref="EnsurePositiveSemidefinite"/>
/// (what fits, expectations, sampling and distances need).
/// </summary>
public sealed class PigmmParameters : IEquatable<PigmmParameters>
{
    /// <summary>The number of parameters, 13.</summary>
    public const int Count = 13;

    /// <summary>
    /// Eigenvalues down to -RoundingTolerance times the largest |f3..f13| count as rounding of a
    /// zero eigenvalue: they pass the semidefiniteness check and are clipped to 0 wherever a
    /// square root is taken.
    /// </summary>
    public const double RoundingTolerance = 1e-12;

    private readonly double[] values;

    private PigmmParameters(double[] values)
    {
        for (int k = 0; k < Count; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                throw new ArgumentException($"PIGMM parameter f{k + 1} is {values[k].ToString(CultureInfo.InvariantCulture)}; parameters must be finite.", nameof(values));
            }
        }
        this.values = values;
    }

    /// <summary>f1..f13 (index 0 holds f1).</summary>
    public ReadOnlySpan<double> Values => values;

    /// <summary>f1 = E[x1].</summary>
    public double MeanX1 => values[0];

    /// <summary>f2 = E[x2].</summary>
    public double MeanX2 => values[1];

    /// <summary>A new 2 x 2 matrix L0 = [[f3, f4], [f4, f5]], the covariance of (x1, x2).</summary>
    public Matrix<double> CovarianceV0 => Matrix<double>.Build.DenseOfArray(new[,]
    {
        { values[2], values[3] },
        { values[3], values[4] },
    });

    /// <summary>A new 3 x 3 matrix LH = [[f6, f7, f8], [f7, f9, f10], [f8, f10, f11]], the
    /// covariance of the VH coordinates of the three copies (column, row, diagonal).</summary>
    public Matrix<double> CovarianceVH => Matrix<double>.Build.DenseOfArray(new[,]
    {
        { values[5], values[6], values[7] },
        { values[6], values[8], values[9] },
        { values[7], values[9], values[10] },
    });

    /// <summary>f12, the variance of every V2 coordinate.</summary>
    public double VarianceV2 => values[11];

    /// <summary>f13, the variance of every V3 coordinate.</summary>
    public double VarianceV3 => values[12];

    /// <summary>True iff L0 and LH are positive definite and f12, f13 &gt; 0: the model has a
    /// density (section 4).</summary>
    public bool IsProperDensity => FindInvalidBlock(Spectra(), strict: true, fitted: false) is null;

    /// <summary>Parameters from f1..f13 (index 0 holds f1).</summary>
    /// <exception cref="ArgumentException">Not 13 values, or a value is NaN or infinite.</exception>
    public static PigmmParameters FromArray(ReadOnlySpan<double> values)
    {
        if (values.Length != Count)
        {
            throw new ArgumentException($"Expected the {Count} PIGMM parameters f1..f13; got {values.Length} values.", nameof(values));
        }
        return new PigmmParameters(values.ToArray());
    }

    /// <summary>
    /// Parameters from blocks: the V0 means (f1, f2), the 2 x 2 covariance L0, the 3 x 3
    /// covariance LH (copies ordered column, row, diagonal), and the V2, V3 variances f12, f13.
    /// The matrices must be symmetric to 1e-12 relative; their upper and lower triangles are
    /// averaged.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong shape, asymmetric, or a value is NaN or infinite.</exception>
    public static PigmmParameters FromBlocks(double meanX1, double meanX2, Matrix<double> covarianceV0, Matrix<double> covarianceVH, double varianceV2, double varianceV3)
    {
        ArgumentNullException.ThrowIfNull(covarianceV0);
        ArgumentNullException.ThrowIfNull(covarianceVH);
        var l0 = SymmetricEntries(covarianceV0, 2, nameof(covarianceV0));
        var lh = SymmetricEntries(covarianceVH, 3, nameof(covarianceVH));
        return new PigmmParameters([meanX1, meanX2, .. l0, .. lh, varianceV2, varianceV3]);
    }

    /// <summary>
    /// The PIGMM of i.i.d. N(mean, variance) entries of an n x n matrix (section 4):
    /// f = (mean n, 0, s2, 0, s2, s2, 0, 0, s2, 0, s2, s2, s2) with s2 = variance.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">variance &lt; 0 or NaN, or n &lt; 4.</exception>
    /// <exception cref="ArgumentException">mean is not finite.</exception>
    public static PigmmParameters Iid(double mean, double variance, int n)
    {
        MatrixSize.Of(n);
        CheckVariance(variance);
        return new PigmmParameters([mean * n, 0, variance, 0, variance, variance, 0, 0, variance, 0, variance, variance, variance]);
    }

    /// <summary>
    /// The paper's "simple Gaussian" reference for Wasserstein distances (section 9): the
    /// expected fit of N = <paramref name="samples"/> draws of i.i.d. N(0, s2) matrices,
    /// f = (0, 0, (1 - 1/N) s2, 0, (1 - 1/N) s2, s2, 0, 0, s2, 0, s2, s2, s2).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">variance &lt; 0 or NaN, or samples &lt; 1.</exception>
    public static PigmmParameters SimpleGaussianReference(double variance, long samples)
    {
        CheckVariance(variance);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        double shrunk = (1 - 1.0 / samples) * variance;
        return new PigmmParameters([0, 0, shrunk, 0, shrunk, variance, 0, 0, variance, 0, variance, variance, variance]);
    }

    /// <summary>f1..f13 as a new array (index 0 holds f1).</summary>
    public double[] ToArray() => (double[])values.Clone();

    /// <summary>
    /// Checks that L0 and LH are positive semidefinite and f12, f13 &gt;= 0 (up to
    /// <see cref="RoundingTolerance"/>).
    /// </summary>
    /// <exception cref="InvalidModelException">A block is not; the message names it and its eigenvalues.</exception>
    public void EnsurePositiveSemidefinite() => Ensure(Spectra(), strict: false, fitted: false);

    /// <summary>Checks <see cref="IsProperDensity"/>.</summary>
    /// <exception cref="InvalidModelException">A block is not positive definite; the message names it and its eigenvalues.</exception>
    public void EnsureProperDensity() => Ensure(Spectra(), strict: true, fitted: false);

    /// <inheritdoc />
    public bool Equals(PigmmParameters? other) => other is not null && values.AsSpan().SequenceEqual(other.values);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PigmmParameters);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (double value in values)
        {
            hash.Add(value);
        }
        return hash.ToHashCode();
    }

    /// <summary>
    /// The parameters with their symbols, round-trip precision, e.g.
    /// <c>PIGMM(f1, f2 = 0.3, -0.2; L0 = [[0.05, 0.01], [0.01, 0.04]]; LH = [[...]]; f12 = 0.015; f13 = 0.01)</c>.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder("PIGMM(f1, f2 = ");
        text.Append(Format(values[0])).Append(", ").Append(Format(values[1]));
        text.Append("; L0 = ").Append(FormatMatrix(CovarianceV0));
        text.Append("; LH = ").Append(FormatMatrix(CovarianceVH));
        text.Append("; f12 = ").Append(Format(values[11]));
        text.Append("; f13 = ").Append(Format(values[12])).Append(')');
        return text.ToString();
    }

    /// <summary>The eigendecompositions of L0 and LH.</summary>
    internal (SymmetricBlock V0, SymmetricBlock VH) Spectra() => (SymmetricBlock.Of(CovarianceV0), SymmetricBlock.Of(CovarianceVH));

    /// <summary>Throws <see cref="InvalidModelException"/> for the first block (V0, VH, V2, V3)
    /// that is not positive semidefinite (<paramref name="strict"/>: definite); "fitted" in the
    /// message when the parameters come from a fit.</summary>
    internal void Ensure((SymmetricBlock V0, SymmetricBlock VH) spectra, bool strict, bool fitted)
    {
        if (FindInvalidBlock(spectra, strict, fitted) is { } error)
        {
            throw error;
        }
    }

    private InvalidModelException? FindInvalidBlock((SymmetricBlock V0, SymmetricBlock VH) spectra, bool strict, bool fitted)
    {
        double scale = 0;
        for (int k = 2; k < Count; k++)
        {
            scale = Math.Max(scale, Math.Abs(values[k]));
        }
        double floor = -RoundingTolerance * scale;
        bool Fails(double eigenvalue) => strict ? !(eigenvalue > 0) : eigenvalue < floor;

        var blocks = new (PigmmBlock Block, string Name, double[] Eigenvalues)[]
        {
            (PigmmBlock.V0, "V0 covariance block L0", spectra.V0.Eigenvalues),
            (PigmmBlock.VH, "VH covariance block LH", spectra.VH.Eigenvalues),
            (PigmmBlock.V2, "V2 variance f12", [values[11]]),
            (PigmmBlock.V3, "V3 variance f13", [values[12]]),
        };
        foreach (var (block, name, eigenvalues) in blocks)
        {
            if (eigenvalues.Any(Fails))
            {
                var sorted = eigenvalues.Order().ToArray();
                string subject = (fitted ? "The fitted " : "The ") + name;
                string requirement = strict ? "positive definite" : "positive semidefinite";
                string message = sorted.Length == 1
                    ? $"{subject} is {Short(sorted[0])}; it must be {(strict ? "> 0" : ">= 0")}."
                    : $"{subject} is not {requirement} (eigenvalues {string.Join(", ", sorted.Select(Short))}).";
                return new InvalidModelException(message, block, sorted);
            }
        }
        return null;
    }

    private static double[] SymmetricEntries(Matrix<double> matrix, int size, string paramName)
    {
        if (matrix.RowCount != size || matrix.ColumnCount != size)
        {
            throw new ArgumentException($"Expected a {size} x {size} matrix; got {matrix.RowCount} x {matrix.ColumnCount}.", paramName);
        }
        double largest = matrix.Enumerate().Select(Math.Abs).Max();
        var upper = new List<double>();
        for (int row = 0; row < size; row++)
        {
            for (int column = row; column < size; column++)
            {
                double a = matrix[row, column], b = matrix[column, row];
                if (Math.Abs(a - b) > 1e-12 * largest)
                {
                    throw new ArgumentException($"The covariance block must be symmetric; entry [{row}, {column}] is {Short(a)} but [{column}, {row}] is {Short(b)}.", paramName);
                }
                upper.Add((a + b) / 2);
            }
        }
        return upper.ToArray();
    }

    private static void CheckVariance(double variance)
    {
        if (!(variance >= 0) || double.IsPositiveInfinity(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "A variance must be finite and >= 0.");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Short(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string FormatMatrix(Matrix<double> matrix) =>
        "[" + string.Join(", ", matrix.EnumerateRows().Select(row => "[" + string.Join(", ", row.Select(Format)) + "]")) + "]";
}
