namespace OrleansPigmm.Mathematics;

/// <summary>
/// Row sums r, column sums c, diagonal d, total S and trace t of one matrix (pigmm-math.md
/// section 1): everything the V0 and VH coordinates and the V2/V3 projections are built from.
/// </summary>
internal sealed class MarginalSums
{
    private MarginalSums(double[] rows, double[] columns, double[] diagonal, double total, double trace)
    {
        Rows = rows;
        Columns = columns;
        Diagonal = diagonal;
        Total = total;
        Trace = trace;
    }

    public double[] Rows { get; }

    public double[] Columns { get; }

    public double[] Diagonal { get; }

    public double Total { get; }

    public double Trace { get; }

    public static MarginalSums Of(ReadOnlySpan<double> matrix, int n)
    {
        var rows = new double[n];
        var columns = new double[n];
        var diagonal = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = matrix.Slice(i * n, n);
            double rowSum = 0;
            for (int j = 0; j < n; j++)
            {
                rowSum += row[j];
                columns[j] += row[j];
            }
            rows[i] = rowSum;
            diagonal[i] = row[i];
        }
        return new MarginalSums(rows, columns, diagonal, rows.Sum(), diagonal.Sum());
    }

    /// <summary>y1, y2, y3 of section 3.3.</summary>
    public double[][] VhVectors(MatrixSize size)
    {
        int n = size.N;
        double rootN = Math.Sqrt(n);
        var y1 = new double[n];
        var y2 = new double[n];
        var y3 = new double[n];
        for (int i = 0; i < n; i++)
        {
            y1[i] = Columns[i] / rootN;
            y2[i] = Rows[i] / rootN;
            y3[i] = Diagonal[i] - (Rows[i] + Columns[i]) / n;
        }
        Center(y1);
        Center(y2);
        Center(y3);
        double diagonalScale = Math.Sqrt(n / (n - 2.0));
        for (int i = 0; i < n; i++)
        {
            y3[i] *= diagonalScale;
        }
        return [y1, y2, y3];
    }

    /// <summary>v = v - mean(v) 1, in place.</summary>
    public static void Center(Span<double> v)
    {
        double sum = 0;
        foreach (double value in v)
        {
            sum += value;
        }
        double mean = sum / v.Length;
        for (int i = 0; i < v.Length; i++)
        {
            v[i] -= mean;
        }
    }
}
