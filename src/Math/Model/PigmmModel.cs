using MathNet.Numerics.LinearAlgebra;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// A permutation-invariant Gaussian matrix model on n x n matrices (pigmm-math.md sections 2
/// and 4): the matrix size n &gt;= 4 and the 13 parameters, whose covariance blocks must be
/// positive semidefinite (singular blocks, e.g. the V0 block of a fit to one matrix, are
/// allowed; the log-density alone needs positive definite blocks). Immutable.
/// <para>
/// Construction precomputes what every consumer needs: the index form of the mean
/// E[W[i][j]] = alpha + beta delta(i,j), the covariance on the 15 index patterns (section 7.1),
/// the "at least equal" coefficients (section 7.2) used by <see cref="ExpectationPlan"/>, and
/// the eigendecompositions of L0 and LH used by <see cref="PigmmSampler"/> and
/// <see cref="Wasserstein"/>.
/// </para>
/// </summary>
public sealed class PigmmModel
{
    private readonly double[] patternCovariances;
    private readonly double[] atLeastCoefficients;

    /// <summary>Creates the model of size <paramref name="n"/> with the given parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="InvalidModelException">L0 or LH is not positive semidefinite or f12 or f13
    /// is negative (beyond <see cref="PigmmParameters.RoundingTolerance"/>).</exception>
    public PigmmModel(int n, PigmmParameters parameters)
        : this(n, parameters, fitted: false)
    {
    }

    /// <summary>The model; <paramref name="fitted"/> says "fitted" in the error message.</summary>
    internal PigmmModel(int n, PigmmParameters parameters, bool fitted)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Size = MatrixSize.Of(n);
        Parameters = parameters;
        var spectra = parameters.Spectra();
        parameters.Ensure(spectra, strict: false, fitted);
        BlockV0 = spectra.V0;
        BlockVH = spectra.VH;
        var f = parameters.Values;
        Alpha = f[0] / n - f[1] / (n * Size.Cn);
        Beta = f[1] / Size.Cn;
        patternCovariances = CovariancePatterns.Covariances(Size, f);
        atLeastCoefficients = CovariancePatterns.AtLeastCoefficients(patternCovariances);
    }

    /// <summary>Matrix size n.</summary>
    public int N => Size.N;

    /// <summary>The parameters f1..f13.</summary>
    public PigmmParameters Parameters { get; }

    /// <summary>alpha = f1/n - f2/(n sqrt(n-1)): E[W[i][j]] for i != j.</summary>
    public double Alpha { get; }

    /// <summary>beta = f2/sqrt(n-1): E[W[i][i]] - E[W[i][j]].</summary>
    public double Beta { get; }

    /// <summary>
    /// The 15 index patterns of (i, j, k, l) as restricted growth strings in lexicographic order
    /// (0000, 0001, 0010, 0011, 0012, 0100, 0101, 0102, 0110, 0111, 0112, 0120, 0121, 0122, 0123),
    /// the order of <see cref="PatternCovariances"/> and <see cref="AtLeastCoefficients"/>.
    /// </summary>
    public static IReadOnlyList<string> CovariancePatternNames => CovariancePatterns.Names;

    /// <summary>v[pattern] = Cov(W[i][j], W[k][l]) for (i, j, k, l) of that pattern (section 7.1).</summary>
    public IReadOnlyList<double> PatternCovariances => patternCovariances;

    /// <summary>
    /// cc[sigma], the coefficients of Cov(W[i][j], W[k][l]) = sum_sigma cc[sigma] D_sigma where
    /// D_sigma = 1 if the positions in each block of sigma carry equal indices (section 7.2):
    /// v[rho] = sum over sigma refining rho of cc[sigma].
    /// </summary>
    public IReadOnlyList<double> AtLeastCoefficients => atLeastCoefficients;

    internal MatrixSize Size { get; }

    internal SymmetricBlock BlockV0 { get; }

    internal SymmetricBlock BlockVH { get; }

    /// <summary>E[W[i][j]] = alpha + beta delta(i,j).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside 0..n-1.</exception>
    public double Mean(int i, int j)
    {
        CheckIndex(i, nameof(i));
        CheckIndex(j, nameof(j));
        return i == j ? Alpha + Beta : Alpha;
    }

    /// <summary>Cov(W[i][j], W[k][l]): the pattern covariance v of the equality pattern of (i, j, k, l).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside 0..n-1.</exception>
    public double Covariance(int i, int j, int k, int l)
    {
        CheckIndex(i, nameof(i));
        CheckIndex(j, nameof(j));
        CheckIndex(k, nameof(k));
        CheckIndex(l, nameof(l));
        return patternCovariances[CovariancePatterns.IndexOf(i, j, k, l)];
    }

    /// <summary>
    /// The forward map of section 6.2: E[I1..I13] under this model (index 0 holds E[I1]), the
    /// inverse of the fit (<see cref="PigmmFit"/>).
    /// </summary>
    public double[] ExpectedQuadraticInvariants()
    {
        var f = Parameters.Values;
        double n = N, cn = Size.Cn, sn = Size.Sn, n1 = n - 1;
        double f1 = f[0], f2 = f[1], f3 = f[2], f4 = f[3], f5 = f[4], f6 = f[5], f7 = f[6], f8 = f[7], f9 = f[8], f10 = f[9], f11 = f[10], f12 = f[11], f13 = f[12];
        double m2 = f1 * f1 + f3;
        double m12 = f1 * f2 + f4;
        double diagonalFirst = m2 + cn * m12;
        double meanSquares = f1 * f1 + f2 * f2 + f3 + f5;
        return
        [
            f1 + cn * f2,
            n * f1,
            meanSquares + n1 * (f6 + f9 + f11) + Size.DimV2 * f12 + Size.DimV3 * f13,
            meanSquares + n1 * (2 * f7 + f11) + Size.DimV2 * f12 - Size.DimV3 * f13,
            diagonalFirst + n1 * (f7 + f9) + n1 * sn * f10,
            diagonalFirst + n1 * (f6 + f7) + n1 * sn * f8,
            n * m2 + n * n1 * f9,
            n * m2 + n * n1 * f6,
            n * m2 + n * n1 * f7,
            n * n * m2,
            (m2 + 2 * cn * m12 + n1 * (f2 * f2 + f5 + f6 + 2 * f7 + f9) + n1 * (n - 2) * f11 + 2 * n1 * sn * (f8 + f10)) / n,
            (f1 + cn * f2) * (f1 + cn * f2) + f3 + 2 * cn * f4 + n1 * f5,
            n * diagonalFirst,
        ];
    }

    /// <summary>
    /// The exact expectation of one graph invariant (section 7.3). Compiles a one-off
    /// <see cref="ExpectationPlan"/>; to evaluate the same graphs under many models, compile a
    /// plan once and reuse it.
    /// </summary>
    public double Expectation(InvariantGraph graph) => ExpectationPlan.Compile([graph]).Evaluate(this)[0];

    /// <summary>
    /// The normalised log-density of section 4 at the row-major n x n <paramref name="matrix"/>:
    /// -1/2 (x - xbar)^T L0^{-1} (x - xbar) - 1/2 sum_ab (LH^{-1})[a][b] (y_a . y_b)
    /// - |P_V2 W|^2/(2 f12) - |P_V3 W|^2/(2 f13)
    /// - 1/2 [log det L0 + (n-1) log det LH + dimV2 log f12 + dimV3 log f13 + n^2 log(2 pi)].
    /// NaN entries give NaN.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix does not have n^2 entries.</exception>
    /// <exception cref="InvalidModelException">The model has no density (a block is singular).</exception>
    public double LogDensity(ReadOnlySpan<double> matrix)
    {
        Parameters.Ensure((BlockV0, BlockVH), strict: true, fitted: false);
        var coordinates = IrreducibleCoordinates.Of(matrix, N);
        var deviation = Vector<double>.Build.DenseOfArray([coordinates.X1 - Parameters.MeanX1, coordinates.X2 - Parameters.MeanX2]);
        var gram = Matrix<double>.Build.Dense(3, 3, (a, b) => coordinates.VhInnerProduct(a + 1, b + 1));
        double f12 = Parameters.VarianceV2, f13 = Parameters.VarianceV3;
        double quadratic = BlockV0.InverseTrace(deviation.OuterProduct(deviation)) + BlockVH.InverseTrace(gram)
            + coordinates.SquaredNormV2 / f12 + coordinates.SquaredNormV3 / f13;
        double logNormaliser = BlockV0.LogDeterminant() + (N - 1) * BlockVH.LogDeterminant()
            + Size.DimV2 * Math.Log(f12) + Size.DimV3 * Math.Log(f13) + (double)N * N * Math.Log(2 * Math.PI);
        return -(quadratic + logNormaliser) / 2;
    }

    private void CheckIndex(int index, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index, paramName);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, N, paramName);
    }
}
