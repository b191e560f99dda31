using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>Random valid PIGMM parameters, matrices and permutations for tests.</summary>
internal static class RandomModels
{
    /// <summary>Valid parameters: a nonzero mean, L0 and LH = A A^T + 0.01 I with Gaussian A
    /// (strongly correlated copies), f12, f13 in [0.01, 0.2].</summary>
    public static PigmmParameters Parameters(Random random)
    {
        Matrix<double> Covariance(int size)
        {
            var a = Matrix<double>.Build.Dense(size, size, (_, _) => Normal.Sample(random, 0, 0.3));
            return a * a.Transpose() + 0.01 * Matrix<double>.Build.DenseIdentity(size);
        }
        return PigmmParameters.FromBlocks(
            Normal.Sample(random, 0, 1), Normal.Sample(random, 0, 1),
            Covariance(2), Covariance(3),
            0.01 + 0.19 * random.NextDouble(), 0.01 + 0.19 * random.NextDouble());
    }

    /// <summary>A row-major n x n matrix of N(mean, 1) entries.</summary>
    public static double[] Matrix(Random random, int n, double mean = 0)
    {
        var matrix = new double[n * n];
        Normal.Samples(random, matrix, mean, 1);
        return matrix;
    }

    /// <summary>Random valid parameters as an FsCheck generator (drawn from a generated seed).</summary>
    public static Gen<PigmmParameters> ParametersGen => Gen.Choose(0, int.MaxValue).Select(seed => Parameters(new Random(seed)));

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Gen<int[]> PermutationGen(int n) => Gen.Shuffle(Enumerable.Range(0, n)).Select(p => p.ToArray());
}
