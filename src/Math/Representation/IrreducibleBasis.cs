using MathNet.Numerics.LinearAlgebra;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The explicit orthonormal basis of R^{n x n} adapted to 2 V0 + 3 VH + V2 + V3
/// (pigmm-math.md section 3), for tests and small n: basis vector p is column p of
/// <see cref="Vectors"/>, a flattened row-major matrix (entry [i][j] at row i n + j).
/// Column order: V0 (e1, e2); VH copy-major, h_a(u_m) at 2 + (a-1)(n-1) + (m-1) with Helmert
/// u_m; V2; V3, the last two by Gram-Schmidt (two passes, residual norms below 1e-10 dropped) of
/// P_V2(E_ij + E_ji) and P_V3(E_ij - E_ji) for i &lt; j in lexicographic order.
/// </summary>
/// <remarks>Memory n^4 and time O(n^6): meant for n up to a few dozen. The fast paths never
/// need it (<see cref="IrreducibleCoordinates"/>, <see cref="IrreducibleDecomposition"/>).</remarks>
public sealed class IrreducibleBasis
{
    /// <summary>The largest n accepted (a 1024 x 1024 basis matrix).</summary>
    public const int MaxSize = 32;

    private const double DroppedResidualNorm = 1e-10;

    private readonly Matrix<double> vectors;

    private IrreducibleBasis(int n, Matrix<double> vectors)
    {
        N = n;
        this.vectors = vectors;
    }

    /// <summary>Matrix size n.</summary>
    public int N { get; }

    /// <summary>A copy of the n^2 x n^2 orthogonal matrix whose columns are the basis vectors.</summary>
    public Matrix<double> Vectors => vectors.Clone();

    /// <summary>
    /// The columns of <paramref name="block"/>: V0 [0, 2), VH [2, 3n-1), V2 of length n(n-3)/2,
    /// then V3 of length (n-1)(n-2)/2.
    /// </summary>
    public Range Columns(PigmmBlock block)
    {
        int vhEnd = 2 + 3 * (N - 1);
        int v2End = vhEnd + N * (N - 3) / 2;
        return block switch
        {
            PigmmBlock.V0 => 0..2,
            PigmmBlock.VH => 2..vhEnd,
            PigmmBlock.V2 => vhEnd..v2End,
            PigmmBlock.V3 => v2End..(N * N),
            _ => throw new ArgumentOutOfRangeException(nameof(block), block, "Unknown block."),
        };
    }

    /// <summary>Builds the basis for n in 4..<see cref="MaxSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 4 or n &gt; <see cref="MaxSize"/>.</exception>
    public static IrreducibleBasis Build(int n)
    {
        var size = MatrixSize.Of(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxSize);
        int dimension = n * n;
        var columns = new List<double[]>(dimension);

        var e1 = new double[dimension];
        var e2 = new double[dimension];
        IrreducibleDecomposition.AddV0(1, 0, size, e1);
        IrreducibleDecomposition.AddV0(0, 1, size, e2);
        columns.Add(e1);
        columns.Add(e2);

        for (int copy = 1; copy <= 3; copy++)
        {
            for (int m = 1; m < n; m++)
            {
                var h = new double[dimension];
                IrreducibleDecomposition.VhEmbedding(copy, Helmert(n, m), n, h);
                columns.Add(h);
            }
        }

        AddGramSchmidt(columns, size, symmetric: true);
        AddGramSchmidt(columns, size, symmetric: false);
        var vectors = Matrix<double>.Build.Dense(dimension, columns.Count, (row, column) => columns[column][row]);
        return new IrreducibleBasis(n, vectors);
    }

    /// <summary>
    /// The Helmert vector u_a, a = 1..n-1 (section 3.1): u_a[k] = 1/sqrt(a(a+1)) for k &lt; a,
    /// u_a[a] = -a/sqrt(a(a+1)), 0 beyond. The n-1 of them are an orthonormal basis of the
    /// zero-sum vectors.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 2 or a not in 1..n-1.</exception>
    public static double[] Helmert(int n, int a)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(a, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(a, n - 1);
        var u = new double[n];
        double norm = Math.Sqrt(a * (a + 1.0));
        for (int k = 0; k < a; k++)
        {
            u[k] = 1 / norm;
        }
        u[a] = -a / norm;
        return u;
    }

    /// <summary>Appends the orthonormalised projections of E_ij + E_ji onto V2 (symmetric) or of
    /// E_ij - E_ji onto V3 (antisymmetric), i &lt; j lexicographic.</summary>
    private static void AddGramSchmidt(List<double[]> columns, MatrixSize size, bool symmetric)
    {
        int n = size.N;
        int blockStart = columns.Count;
        var unit = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                unit[i * n + j] = 1;
                unit[j * n + i] = symmetric ? 1 : -1;
                var candidate = new double[n * n];
                if (symmetric)
                {
                    IrreducibleDecomposition.ProjectV2(unit, n, candidate);
                }
                else
                {
                    IrreducibleDecomposition.ProjectV3(unit, n, candidate);
                }
                unit[i * n + j] = 0;
                unit[j * n + i] = 0;

                for (int pass = 0; pass < 2; pass++)
                {
                    for (int b = blockStart; b < columns.Count; b++)
                    {
                        double overlap = IrreducibleCoordinates.Dot(candidate, columns[b]);
                        for (int p = 0; p < candidate.Length; p++)
                        {
                            candidate[p] -= overlap * columns[b][p];
                        }
                    }
                }
                double norm = Math.Sqrt(IrreducibleCoordinates.Dot(candidate, candidate));
                if (norm >= DroppedResidualNorm)
                {
                    for (int p = 0; p < candidate.Length; p++)
                    {
                        candidate[p] /= norm;
                    }
                    columns.Add(candidate);
                }
            }
        }
    }
}
