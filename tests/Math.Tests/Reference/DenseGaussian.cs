using MathNet.Numerics.LinearAlgebra;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>
/// A PIGMM written out as a plain Gaussian on R^{n^2}: the full mean vector and the full
/// n^2 x n^2 covariance built from the explicit irreducible basis (C = B D B^T with D the
/// block-diagonal parameter matrix), for brute-force checks at small n.
/// </summary>
internal sealed class DenseGaussian
{
    // Plain arrays for the hot loop of the brute-force index sums.
    private readonly double[] meanEntries;
    private readonly double[,] covarianceEntries;

    private DenseGaussian(int n, Vector<double> mean, Matrix<double> covariance)
    {
        N = n;
        Mean = mean;
        Covariance = covariance;
        meanEntries = mean.ToArray();
        covarianceEntries = covariance.ToArray();
    }

    public int N { get; }

    /// <summary>E[W], flattened row-major.</summary>
    public Vector<double> Mean { get; }

    /// <summary>Cov(W[i][j], W[k][l]) at row i n + j, column k n + l.</summary>
    public Matrix<double> Covariance { get; }

    public static DenseGaussian Of(PigmmModel model)
    {
        int n = model.N;
        var basis = IrreducibleBasis.Build(n);
        var vectors = basis.Vectors;
        var f = model.Parameters;
        var blockCovariance = Matrix<double>.Build.Dense(n * n, n * n);
        blockCovariance.SetSubMatrix(0, 0, f.CovarianceV0);
        var lh = f.CovarianceVH;
        int vhStart = basis.Columns(PigmmBlock.VH).Start.Value;
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 3; b++)
            {
                for (int m = 0; m < n - 1; m++)
                {
                    blockCovariance[vhStart + a * (n - 1) + m, vhStart + b * (n - 1) + m] = lh[a, b];
                }
            }
        }
        foreach (var (block, variance) in new[] { (PigmmBlock.V2, f.VarianceV2), (PigmmBlock.V3, f.VarianceV3) })
        {
            var (start, length) = basis.Columns(block).GetOffsetAndLength(n * n);
            for (int p = start; p < start + length; p++)
            {
                blockCovariance[p, p] = variance;
            }
        }
        var mean = vectors.Column(0) * f.MeanX1 + vectors.Column(1) * f.MeanX2;
        return new DenseGaussian(n, mean, vectors * blockCovariance * vectors.Transpose());
    }

    /// <summary>
    /// E[graph] by the explicit index sum over all n^V letter assignments, each term
    /// E[prod_e W[tail_e][head_e]] by Isserlis' theorem on the dense mean and covariance;
    /// <paramref name="magnitude"/> is the sum of the absolute values of those terms.
    /// </summary>
    public double Expectation(InvariantGraph graph, out double magnitude)
    {
        int k = graph.Degree, vertices = graph.VertexCount;
        var splits = Splits(Enumerable.Range(0, k).ToList());
        var entry = new int[k];
        double total = 0;
        magnitude = 0;
        foreach (var letter in BruteForce.Assignments(vertices, N))
        {
            for (int e = 0; e < k; e++)
            {
                var (tail, head) = graph.Edge(e);
                entry[e] = letter[tail] * N + letter[head];
            }
            double term = 0;
            foreach (var (pairs, singletons) in splits)
            {
                double product = 1;
                foreach (var (e, f) in pairs)
                {
                    product *= covarianceEntries[entry[e], entry[f]];
                }
                foreach (int e in singletons)
                {
                    product *= meanEntries[entry[e]];
                }
                term += product;
            }
            total += term;
            magnitude += System.Math.Abs(term);
        }
        return total;
    }

    /// <summary>All ways to split the factors into unordered pairs and singletons (Isserlis):
    /// the first factor is either a singleton or paired with one of the others.</summary>
    private static List<((int, int)[] Pairs, int[] Singletons)> Splits(List<int> factors)
    {
        if (factors.Count == 0)
        {
            return [([], [])];
        }
        int first = factors[0];
        var rest = factors.Skip(1).ToList();
        var splits = Splits(rest).Select(s => (s.Pairs, s.Singletons.Prepend(first).ToArray())).ToList();
        foreach (int partner in rest)
        {
            splits.AddRange(Splits(rest.Where(f => f != partner).ToList())
                .Select(s => (s.Pairs.Prepend((first, partner)).ToArray(), s.Singletons)));
        }
        return splits;
    }
}
