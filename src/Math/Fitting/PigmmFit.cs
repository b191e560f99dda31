namespace OrleansPigmm.Mathematics;

/// <summary>
/// The maximum-likelihood PIGMM of an ensemble of N matrices of size n (pigmm-math.md
/// section 6): the permutation average of the sample covariance around the invariant mean,
/// equivalently the model whose E[I1..I13] equal the ensemble means of I1..I13. Normalisation is
/// 1/N throughout (the fitted L0 of N draws from a model is (1 - 1/N) times its L0 on average;
/// the other parameters are unbiased).
/// </summary>
public static class PigmmFit
{
    /// <summary>
    /// The fit from the sufficient statistics (section 6.1), the production path: f1, f2 and
    /// f6..f13 from the means of I1..I13, f3, f4, f5 from the centred moments Var(S), Cov(t, S),
    /// Var(t) that the statistics carry separately:
    /// f3 = Var(S)/n^2, f4 = (n Cov(t,S) - Var(S))/(n^2 c_n),
    /// f5 = (n^2 Var(t) - 2 n Cov(t,S) + Var(S))/(n^2 (n-1)).
    /// </summary>
    /// <exception cref="InvalidModelException">A fitted block is not positive semidefinite (the
    /// statistics are not those of any ensemble, or rounding went beyond
    /// <see cref="PigmmParameters.RoundingTolerance"/>); the message names the block and its eigenvalues.</exception>
    public static PigmmModel FromStatistics(QuadraticStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        int n = statistics.N;
        var size = MatrixSize.Of(n);
        var m = statistics.Means;
        double i1 = m[0], i2 = m[1], i3 = m[2], i4 = m[3], i5 = m[4], i6 = m[5], i7 = m[6], i8 = m[7], i9 = m[8], i10 = m[9], i11 = m[10], i12 = m[11], i13 = m[12];
        double varS = statistics.TotalVariance, covTS = statistics.TraceTotalCovariance, varT = statistics.TraceVariance;
        double nn = n, n2 = nn * nn, cn = size.Cn, sn = size.Sn, n1 = nn - 1;
        double[] f =
        [
            i2 / nn,
            (nn * i1 - i2) / (nn * cn),
            varS / n2,
            (nn * covTS - varS) / (n2 * cn),
            (n2 * varT - 2 * nn * covTS + varS) / (n2 * n1),
            (nn * i8 - i10) / (n2 * n1),
            (nn * i9 - i10) / (n2 * n1),
            (n2 * i6 - nn * (i8 + i9 + i13) + 2 * i10) / (n2 * n1 * sn),
            (nn * i7 - i10) / (n2 * n1),
            (n2 * i5 - nn * (i7 + i9 + i13) + 2 * i10) / (n2 * n1 * sn),
            (nn * n2 * i11 - n2 * i12 - 2 * n2 * (i5 + i6) + nn * (i7 + i8 + 2 * i9) + 4 * nn * i13 - 4 * i10) / (n2 * n1 * (nn - 2)),
            ((nn - 1) * (nn - 2) * (i3 + i4) + 4 * n1 * (i5 + i6) - n1 * (i7 + i8 + 2 * i9) - 2 * nn * n1 * i11 + 2 * i10 + 2 * i12 - 4 * i13)
                / (nn * n1 * (nn - 2) * (nn - 3)),
            (nn * (i3 - i4) - i7 - i8 + 2 * i9) / (nn * n1 * (nn - 2)),
        ];
        return new PigmmModel(n, PigmmParameters.FromArray(f), fitted: true);
    }

    /// <summary>
    /// The fit from the matrices themselves by the block formulas of section 6 (the numerically
    /// preferred form, mathematically identical to <see cref="FromStatistics"/>):
    /// (f1, f2) = mean of x; L0 = (1/N) sum (x - xbar)(x - xbar)^T;
    /// LH[a][b] = sum y_a . y_b / (N (n-1)); f12 = sum |P_V2 W|^2 / (N dimV2);
    /// f13 = sum |P_V3 W|^2 / (N dimV3). Each matrix is row-major with n^2 entries.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="ArgumentException">No matrices, a matrix without n^2 entries, or a NaN or infinite entry.</exception>
    /// <exception cref="InvalidModelException">A fitted block is not positive semidefinite (only through rounding).</exception>
    public static PigmmModel FromEnsemble(IEnumerable<double[]> matrices, int n)
    {
        ArgumentNullException.ThrowIfNull(matrices);
        var size = MatrixSize.Of(n);
        var v0 = new List<(double X1, double X2)>();
        var vhGram = new double[3, 3];
        double normV2 = 0, normV3 = 0;
        foreach (var matrix in matrices)
        {
            ArgumentNullException.ThrowIfNull(matrix, nameof(matrices));
            size.CheckFiniteMatrix(matrix, nameof(matrices));
            var coordinates = IrreducibleCoordinates.Of(matrix, n);
            v0.Add((coordinates.X1, coordinates.X2));
            for (int a = 0; a < 3; a++)
            {
                for (int b = a; b < 3; b++)
                {
                    vhGram[a, b] += coordinates.VhInnerProduct(a + 1, b + 1);
                }
            }
            normV2 += coordinates.SquaredNormV2;
            normV3 += coordinates.SquaredNormV3;
        }
        if (v0.Count == 0)
        {
            throw new ArgumentException("Cannot fit a PIGMM to an empty ensemble.", nameof(matrices));
        }
        double count = v0.Count;
        double mean1 = v0.Sum(x => x.X1) / count, mean2 = v0.Sum(x => x.X2) / count;
        double l00 = v0.Sum(x => (x.X1 - mean1) * (x.X1 - mean1)) / count;
        double l01 = v0.Sum(x => (x.X1 - mean1) * (x.X2 - mean2)) / count;
        double l11 = v0.Sum(x => (x.X2 - mean2) * (x.X2 - mean2)) / count;
        double vhScale = count * (n - 1);
        double[] f =
        [
            mean1, mean2, l00, l01, l11,
            vhGram[0, 0] / vhScale, vhGram[0, 1] / vhScale, vhGram[0, 2] / vhScale, vhGram[1, 1] / vhScale, vhGram[1, 2] / vhScale, vhGram[2, 2] / vhScale,
            normV2 / (count * size.DimV2),
            normV3 / (count * size.DimV3),
        ];
        return new PigmmModel(n, PigmmParameters.FromArray(f), fitted: true);
    }
}
