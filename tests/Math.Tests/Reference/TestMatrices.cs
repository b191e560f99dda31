namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>Matrices the tests evaluate invariants of (row-major n x n).</summary>
internal static class TestMatrices
{
    /// <summary>Entries uniform in [-1, 1) from a seeded generator.</summary>
    public static double[] Uniform(int n, int seed)
    {
        var random = new Random(seed);
        var matrix = new double[n * n];
        for (int e = 0; e < matrix.Length; e++)
        {
            matrix[e] = 2 * random.NextDouble() - 1;
        }
        return matrix;
    }

    /// <summary>Matrix r of the deterministic ensemble of appendix T4:
    /// W[r][i][j] = sin(1 + 0.7 r + 1.3 i + 0.4 j + 0.1 i j).</summary>
    public static double[] DeterministicEnsemble(int r, int n)
    {
        var matrix = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                matrix[i * n + j] = System.Math.Sin(1 + 0.7 * r + 1.3 * i + 0.4 * j + 0.1 * i * j);
            }
        }
        return matrix;
    }

    /// <summary>|W| entrywise.</summary>
    public static double[] Absolute(ReadOnlySpan<double> matrix)
    {
        var result = new double[matrix.Length];
        for (int e = 0; e < matrix.Length; e++)
        {
            result[e] = System.Math.Abs(matrix[e]);
        }
        return result;
    }
}
