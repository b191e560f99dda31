namespace OrleansPigmm.Mathematics;

/// <summary>
/// The coordinates of one n x n matrix W in the irreducible-representation basis, computed in
/// O(n^2) without forming a basis (pigmm-math.md sections 3.2-3.4):
/// <list type="bullet">
/// <item>V0: x1 = S/n, x2 = (t - S/n)/sqrt(n-1) (S = sum of all entries, t = trace);</item>
/// <item>VH: the zero-sum vectors y1 = center(c)/sqrt(n), y2 = center(r)/sqrt(n),
/// y3 = sqrt(n/(n-2)) center(d - (r + c)/n) (c column sums, r row sums, d diagonal), so that
/// &lt;W, h_a(u)&gt; = u . y_a for every zero-sum u;</item>
/// <item>V2, V3: only the squared norms |P_V2 W|^2 and |P_V3 W|^2, summed entry by entry over
/// the projected matrices (never as differences of larger numbers).</item>
/// </list>
/// These are all the fit (section 6) and the log-density (section 4) need. NaN entries propagate.
/// </summary>
public sealed class IrreducibleCoordinates
{
    private readonly double[][] y;

    private IrreducibleCoordinates(int n, double x1, double x2, double[][] y, double squaredNormV2, double squaredNormV3)
    {
        N = n;
        X1 = x1;
        X2 = x2;
        this.y = y;
        SquaredNormV2 = squaredNormV2;
        SquaredNormV3 = squaredNormV3;
    }

    /// <summary>Matrix size n.</summary>
    public int N { get; }

    /// <summary>x1 = &lt;W, e1&gt; = S/n.</summary>
    public double X1 { get; }

    /// <summary>x2 = &lt;W, e2&gt; = (t - S/n)/sqrt(n-1).</summary>
    public double X2 { get; }

    /// <summary>|P_V2 W|^2, the squared Frobenius norm of the V2 part.</summary>
    public double SquaredNormV2 { get; }

    /// <summary>|P_V3 W|^2, the squared Frobenius norm of the V3 part.</summary>
    public double SquaredNormV3 { get; }

    /// <summary>
    /// The zero-sum vector y_copy (copy = 1 column copy, 2 row copy, 3 diagonal copy, as in
    /// section 3.3), length n; its coordinate on h_copy(u_m) is u_m . y_copy.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">copy is not 1, 2 or 3.</exception>
    public ReadOnlySpan<double> Y(int copy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copy, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(copy, 3);
        return y[copy - 1];
    }

    /// <summary>y_a . y_b = sum_m z[a][m] z[b][m] for copies a, b in 1..3 (no basis needed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">a or b is not 1, 2 or 3.</exception>
    public double VhInnerProduct(int a, int b) => Dot(Y(a), Y(b));

    /// <summary>The coordinates of the row-major n x n <paramref name="matrix"/>, in O(n^2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="ArgumentException">The matrix does not have n^2 entries.</exception>
    public static IrreducibleCoordinates Of(ReadOnlySpan<double> matrix, int n)
    {
        var size = MatrixSize.Of(n);
        size.CheckShape(matrix, nameof(matrix));
        var sums = MarginalSums.Of(matrix, n);
        double x1 = sums.Total / n;
        double x2 = (sums.Trace - sums.Total / n) / size.Cn;
        var y = sums.VhVectors(size);
        var (normV2, normV3) = IrreducibleDecomposition.SquaredNorms(matrix, sums, size);
        return new IrreducibleCoordinates(n, x1, x2, y, normV2, normV3);
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
