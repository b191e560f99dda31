namespace OrleansPigmm.Mathematics;

/// <summary>
/// The size-dependent constants of pigmm-math.md section 1 for one matrix size n >= 4:
/// c_n = sqrt(n-1), s_n = sqrt(n-2) and the dimensions of V2 and V3.
/// </summary>
internal readonly struct MatrixSize
{
    private MatrixSize(int n)
    {
        N = n;
        Cn = Math.Sqrt(n - 1.0);
        Sn = Math.Sqrt(n - 2.0);
        DimV2 = n * (n - 3.0) / 2;
        DimV3 = (n - 1.0) * (n - 2.0) / 2;
    }

    /// <summary>Matrix size n.</summary>
    public int N { get; }

    /// <summary>c_n = sqrt(n - 1).</summary>
    public double Cn { get; }

    /// <summary>s_n = sqrt(n - 2).</summary>
    public double Sn { get; }

    /// <summary>dim V2 = n(n-3)/2.</summary>
    public double DimV2 { get; }

    /// <summary>dim V3 = (n-1)(n-2)/2.</summary>
    public double DimV3 { get; }

    /// <summary>The constants for n, refusing n &lt; 4 (the formulas divide by n-3, n-2 and sqrt(n-2)).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4.</exception>
    public static MatrixSize Of(int n)
    {
        if (n < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"PIGMMs need matrices of size n >= 4 (the formulas divide by n-3, n-2 and sqrt(n-2)); got n = {n}.");
        }
        return new MatrixSize(n);
    }

    /// <summary>Checks that a row-major matrix has n x n entries.</summary>
    /// <exception cref="ArgumentException">Wrong length.</exception>
    public void CheckShape(ReadOnlySpan<double> matrix, string paramName)
    {
        if (matrix.Length != N * N)
        {
            throw new ArgumentException($"Expected a row-major {N} x {N} matrix ({N * N} entries); got {matrix.Length} entries.", paramName);
        }
    }

    /// <summary>Checks that a row-major matrix has n x n finite entries.</summary>
    /// <exception cref="ArgumentException">Wrong length, or a NaN or infinite entry.</exception>
    public void CheckFiniteMatrix(ReadOnlySpan<double> matrix, string paramName)
    {
        CheckShape(matrix, paramName);
        for (int p = 0; p < matrix.Length; p++)
        {
            if (!double.IsFinite(matrix[p]))
            {
                throw new ArgumentException($"Matrix entry [{p / N}][{p % N}] is {matrix[p]}; entries must be finite.", paramName);
            }
        }
    }
}
