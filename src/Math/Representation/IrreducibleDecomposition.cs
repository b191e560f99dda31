namespace OrleansPigmm.Mathematics;

/// <summary>
/// The isotypic projections of an n x n matrix, R^{n x n} = 2 V0 + 3 VH + V2 + V3
/// (pigmm-math.md section 3), each in O(n^2) without forming a basis. Matrices are row-major
/// spans of n^2 entries, W[i][j] at index i n + j. The four projections sum to W and are
/// mutually orthogonal. NaN entries propagate.
/// </summary>
public static class IrreducibleDecomposition
{
    /// <summary>
    /// P_V0(W) = x1 e1 + x2 e2 with e1 = J/n, e2 = (I - J/n)/sqrt(n-1) (section 3.2).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="ArgumentException">A span does not have n^2 entries, or the two overlap.</exception>
    public static void ProjectV0(ReadOnlySpan<double> matrix, int n, Span<double> destination)
    {
        var size = Prepare(matrix, n, destination);
        var sums = MarginalSums.Of(matrix, n);
        destination.Clear();
        AddV0(sums.Total / n, (sums.Trace - sums.Total / n) / size.Cn, size, destination);
    }

    /// <summary>
    /// P_VH(W) = h1(y1) + h2(y2) + h3(y3) (section 3.3), y_a as in <see cref="IrreducibleCoordinates"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="ArgumentException">A span does not have n^2 entries, or the two overlap.</exception>
    public static void ProjectVH(ReadOnlySpan<double> matrix, int n, Span<double> destination)
    {
        var size = Prepare(matrix, n, destination);
        var y = MarginalSums.Of(matrix, n).VhVectors(size);
        destination.Clear();
        AddVh(y[0], y[1], y[2], size, destination);
    }

    /// <summary>
    /// P_V2(W) (section 3.4): with X = (W + W^T)/2 off the diagonal and 0 on it, s = X 1,
    /// v = center(s)/(n-2), kappa = mean(s)/(n-1):
    /// P_V2(W)[i][j] = X[i][j] - (1 - delta(i,j)) (v[i] + v[j] + kappa). The result is symmetric
    /// with zero diagonal and zero row sums.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="ArgumentException">A span does not have n^2 entries, or the two overlap.</exception>
    public static void ProjectV2(ReadOnlySpan<double> matrix, int n, Span<double> destination)
    {
        var size = Prepare(matrix, n, destination);
        destination.Clear();
        AddProjectionV2(matrix, MarginalSums.Of(matrix, n), size, 1, destination);
    }

    /// <summary>
    /// P_V3(W) (section 3.4): with A = (W - W^T)/2 and a = A 1,
    /// P_V3(W)[i][j] = A[i][j] - (a[i] - a[j])/n. The result is antisymmetric with zero row sums.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    /// <exception cref="ArgumentException">A span does not have n^2 entries, or the two overlap.</exception>
    public static void ProjectV3(ReadOnlySpan<double> matrix, int n, Span<double> destination)
    {
        var size = Prepare(matrix, n, destination);
        destination.Clear();
        AddProjectionV3(matrix, MarginalSums.Of(matrix, n), size, 1, destination);
    }

    /// <summary>
    /// The VH isometry h_copy(u) of section 3.3 for a zero-sum vector u of length n:
    /// h1(u)[i][j] = u[j]/sqrt(n) (column copy), h2(u)[i][j] = u[i]/sqrt(n) (row copy),
    /// h3(u)[i][j] = sqrt(n/(n-2)) (delta(i,j) u[i] - (u[i] + u[j])/n) (diagonal copy).
    /// The zero-sum property of u is the caller's responsibility (it is not checked).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4 or copy not in 1..3.</exception>
    /// <exception cref="ArgumentException">u does not have n entries or destination n^2.</exception>
    public static void VhEmbedding(int copy, ReadOnlySpan<double> u, int n, Span<double> destination)
    {
        var size = MatrixSize.Of(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(copy, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(copy, 3);
        if (u.Length != n)
        {
            throw new ArgumentException($"Expected a vector of length n = {n}; got {u.Length}.", nameof(u));
        }
        size.CheckShape(destination, nameof(destination));
        destination.Clear();
        AddVh(copy == 1 ? u : default, copy == 2 ? u : default, copy == 3 ? u : default, size, destination);
    }

    /// <summary>destination += x1 e1 + x2 e2.</summary>
    internal static void AddV0(double x1, double x2, MatrixSize size, Span<double> destination)
    {
        int n = size.N;
        double offDiagonal = x1 / n - x2 / (n * size.Cn);
        double diagonal = offDiagonal + x2 / size.Cn;
        for (int i = 0; i < n; i++)
        {
            var row = destination.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                row[j] += offDiagonal;
            }
            row[i] += diagonal - offDiagonal;
        }
    }

    /// <summary>destination += h1(y1) + h2(y2) + h3(y3); an empty span skips that copy.</summary>
    internal static void AddVh(ReadOnlySpan<double> y1, ReadOnlySpan<double> y2, ReadOnlySpan<double> y3, MatrixSize size, Span<double> destination)
    {
        int n = size.N;
        double invRootN = 1 / Math.Sqrt(n);
        double diagonalScale = Math.Sqrt(n / (n - 2.0));
        for (int i = 0; i < n; i++)
        {
            var row = destination.Slice(i * n, n);
            if (!y1.IsEmpty)
            {
                for (int j = 0; j < n; j++)
                {
                    row[j] += y1[j] * invRootN;
                }
            }
            if (!y2.IsEmpty)
            {
                double rowValue = y2[i] * invRootN;
                for (int j = 0; j < n; j++)
                {
                    row[j] += rowValue;
                }
            }
            if (!y3.IsEmpty)
            {
                double rowPart = diagonalScale * y3[i] / n;
                for (int j = 0; j < n; j++)
                {
                    row[j] -= rowPart + diagonalScale * y3[j] / n;
                }
                row[i] += diagonalScale * y3[i];
            }
        }
    }

    /// <summary>destination += scale P_V2(W).</summary>
    internal static void AddProjectionV2(ReadOnlySpan<double> matrix, MarginalSums sums, MatrixSize size, double scale, Span<double> destination)
    {
        int n = size.N;
        var (v, kappa) = V2Corrections(sums, size);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (i != j)
                {
                    destination[i * n + j] += scale * ((matrix[i * n + j] + matrix[j * n + i]) / 2 - (v[i] + v[j] + kappa));
                }
            }
        }
    }

    /// <summary>destination += scale P_V3(W).</summary>
    internal static void AddProjectionV3(ReadOnlySpan<double> matrix, MarginalSums sums, MatrixSize size, double scale, Span<double> destination)
    {
        int n = size.N;
        var a = V3Corrections(sums);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                destination[i * n + j] += scale * ((matrix[i * n + j] - matrix[j * n + i]) / 2 - (a[i] - a[j]) / n);
            }
        }
    }

    /// <summary>(|P_V2 W|^2, |P_V3 W|^2) as sums of squared projected entries, in one pass.</summary>
    internal static (double V2, double V3) SquaredNorms(ReadOnlySpan<double> matrix, MarginalSums sums, MatrixSize size)
    {
        int n = size.N;
        var (v, kappa) = V2Corrections(sums, size);
        var a = V3Corrections(sums);
        double normV2 = 0, normV3 = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double upper = matrix[i * n + j], lower = matrix[j * n + i];
                double symmetric = (upper + lower) / 2 - (v[i] + v[j] + kappa);
                double antisymmetric = (upper - lower) / 2 - (a[i] - a[j]) / n;
                normV2 += symmetric * symmetric;
                normV3 += antisymmetric * antisymmetric;
            }
        }
        // Each unordered pair stands for the entries (i, j) and (j, i); the diagonals are 0.
        return (2 * normV2, 2 * normV3);
    }

    /// <summary>v = center(s)/(n-2) and kappa = mean(s)/(n-1), s = row sums of the off-diagonal
    /// symmetric part, s[i] = (r[i] + c[i])/2 - d[i].</summary>
    private static (double[] V, double Kappa) V2Corrections(MarginalSums sums, MatrixSize size)
    {
        int n = size.N;
        var s = new double[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = (sums.Rows[i] + sums.Columns[i]) / 2 - sums.Diagonal[i];
        }
        double kappa = s.Sum() / n / (n - 1);
        MarginalSums.Center(s);
        for (int i = 0; i < n; i++)
        {
            s[i] /= n - 2;
        }
        return (s, kappa);
    }

    /// <summary>a = A 1 = (r - c)/2, the row sums of the antisymmetric part.</summary>
    private static double[] V3Corrections(MarginalSums sums)
    {
        var a = new double[sums.Rows.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (sums.Rows[i] - sums.Columns[i]) / 2;
        }
        return a;
    }

    private static MatrixSize Prepare(ReadOnlySpan<double> matrix, int n, Span<double> destination)
    {
        var size = MatrixSize.Of(n);
        size.CheckShape(matrix, nameof(matrix));
        size.CheckShape(destination, nameof(destination));
        if (matrix.Overlaps(destination))
        {
            throw new ArgumentException("The destination must not overlap the source matrix.", nameof(destination));
        }
        return size;
    }
}
