using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Representation;

public class IrreducibleDecompositionTests
{
    private delegate void Projection(ReadOnlySpan<double> matrix, int n, Span<double> destination);

    private static readonly Projection[] Projections =
    [
        IrreducibleDecomposition.ProjectV0,
        IrreducibleDecomposition.ProjectVH,
        IrreducibleDecomposition.ProjectV2,
        IrreducibleDecomposition.ProjectV3,
    ];

    public static TheoryData<int> Sizes => [4, 5, 6, 7];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_four_projections_sum_to_the_matrix_and_are_mutually_orthogonal(int n)
    {
        var matrix = RandomModels.Matrix(new Random(n), n, mean: 0.5);
        var parts = Projections.Select(project => Project(project, matrix, n)).ToArray();

        for (int p = 0; p < n * n; p++)
        {
            Close.Assert(matrix[p], parts.Sum(part => part[p]), 1e-14, scale: 1, what: $"entry {p}");
        }
        for (int a = 0; a < 4; a++)
        {
            for (int b = a + 1; b < 4; b++)
            {
                Assert.True(System.Math.Abs(IrreducibleCoordinates.Dot(parts[a], parts[b])) < 1e-13, $"blocks {a} and {b} overlap");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_projections_are_idempotent_and_land_in_their_spaces(int n)
    {
        var matrix = RandomModels.Matrix(new Random(10 + n), n);
        var v2 = Project(IrreducibleDecomposition.ProjectV2, matrix, n);
        var v3 = Project(IrreducibleDecomposition.ProjectV3, matrix, n);

        Close.All(v2, Project(IrreducibleDecomposition.ProjectV2, v2, n), 1e-14, scale: 1, what: "P_V2 P_V2");
        Close.All(v3, Project(IrreducibleDecomposition.ProjectV3, v3, n), 1e-14, scale: 1, what: "P_V3 P_V3");
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(0, v2[i * n + i]);
            Assert.True(System.Math.Abs(v2.AsSpan(i * n, n).ToArray().Sum()) < 1e-14);
            Assert.True(System.Math.Abs(v3.AsSpan(i * n, n).ToArray().Sum()) < 1e-14);
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(v2[i * n + j], v2[j * n + i]);
                Assert.Equal(v3[i * n + j], -v3[j * n + i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_explicit_basis_is_orthonormal_complete_and_sized_as_the_spec_says(int n)
    {
        var basis = IrreducibleBasis.Build(n);
        var vectors = basis.Vectors;

        Assert.Equal(n * n, vectors.ColumnCount);
        Assert.True((vectors.TransposeThisAndMultiply(vectors) - Matrix<double>.Build.DenseIdentity(n * n)).InfinityNorm() < 1e-13);
        Assert.Equal(2, Length(basis, PigmmBlock.V0));
        Assert.Equal(3 * (n - 1), Length(basis, PigmmBlock.VH));
        Assert.Equal(n * (n - 3) / 2, Length(basis, PigmmBlock.V2));
        Assert.Equal((n - 1) * (n - 2) / 2, Length(basis, PigmmBlock.V3));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Coordinates_without_a_basis_equal_inner_products_with_the_explicit_basis(int n)
    {
        var basis = IrreducibleBasis.Build(n);
        var vectors = basis.Vectors;
        var matrix = RandomModels.Matrix(new Random(20 + n), n, mean: -0.3);
        var inner = vectors.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(matrix));

        var coordinates = IrreducibleCoordinates.Of(matrix, n);

        Close.Assert(inner[0], coordinates.X1, 1e-13, scale: 1, what: "x1");
        Close.Assert(inner[1], coordinates.X2, 1e-13, scale: 1, what: "x2");
        for (int copy = 1; copy <= 3; copy++)
        {
            for (int m = 1; m < n; m++)
            {
                double z = IrreducibleCoordinates.Dot(IrreducibleBasis.Helmert(n, m), coordinates.Y(copy));
                Close.Assert(inner[2 + (copy - 1) * (n - 1) + m - 1], z, 1e-13, scale: 1, what: $"z[{copy}][{m}]");
            }
        }
        Close.Assert(SumOfSquares(inner, basis.Columns(PigmmBlock.V2)), coordinates.SquaredNormV2, 1e-13, scale: 1, what: "|P_V2 W|^2");
        Close.Assert(SumOfSquares(inner, basis.Columns(PigmmBlock.V3)), coordinates.SquaredNormV3, 1e-13, scale: 1, what: "|P_V3 W|^2");
        Close.Assert(coordinates.Y(1).ToArray().Select((y, i) => y * coordinates.Y(3)[i]).Sum(), coordinates.VhInnerProduct(1, 3), 1e-15, scale: 1, what: "y1 . y3");
    }

    [Fact]
    public void Every_projection_commutes_with_every_permutation()
    {
        const int n = 6;
        var cases = RandomModels.PermutationGen(n).Zip(Gen.Choose(0, int.MaxValue));

        Prop.ForAll(cases.ToArbitrary(), entry =>
        {
            var (permutation, seed) = entry;
            var matrix = RandomModels.Matrix(new Random(seed), n, mean: 1);
            var permuted = BruteForce.Permute(matrix, n, permutation);
            foreach (var project in Projections)
            {
                var expected = BruteForce.Permute(Project(project, matrix, n), n, permutation);
                Close.All(expected, Project(project, permuted, n), 1e-13, scale: 1);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_fifteen_block_operators_span_the_permutation_commutant()
    {
        const int n = 5;
        var basis = IrreducibleBasis.Build(n);
        var vectors = basis.Vectors;
        var v0 = vectors.SubMatrix(0, n * n, 0, 2);
        var operators = new List<Matrix<double>>();
        for (int a = 0; a < 2; a++)
        {
            for (int b = 0; b < 2; b++)
            {
                operators.Add(v0.Column(a).OuterProduct(v0.Column(b)));
            }
        }
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 3; b++)
            {
                var copyA = vectors.SubMatrix(0, n * n, 2 + a * (n - 1), n - 1);
                var copyB = vectors.SubMatrix(0, n * n, 2 + b * (n - 1), n - 1);
                operators.Add(copyA * copyB.Transpose());
            }
        }
        foreach (var block in new[] { PigmmBlock.V2, PigmmBlock.V3 })
        {
            var (start, length) = basis.Columns(block).GetOffsetAndLength(n * n);
            var columns = vectors.SubMatrix(0, n * n, start, length);
            operators.Add(columns * columns.Transpose());
        }

        // The commutant is spanned by the 15 indicator matrices of the index patterns of
        // (i, j, k, l): an operator commutes with every permutation iff it is constant on each.
        foreach (var op in operators)
        {
            var valueOfPattern = new double?[15];
            for (int row = 0; row < n * n; row++)
            {
                for (int column = 0; column < n * n; column++)
                {
                    int pattern = PatternOf(row / n, row % n, column / n, column % n);
                    valueOfPattern[pattern] ??= op[row, column];
                    Assert.True(System.Math.Abs(op[row, column] - valueOfPattern[pattern]!.Value) < 1e-13);
                }
            }
        }
        var flattened = Matrix<double>.Build.Dense(n * n * n * n, operators.Count, (p, q) => operators[q][p / (n * n), p % (n * n)]);
        Assert.Equal(15, flattened.Rank());
    }

    [Fact]
    public void Helmert_vectors_are_orthonormal_and_sum_to_zero()
    {
        const int n = 7;
        for (int a = 1; a < n; a++)
        {
            var u = IrreducibleBasis.Helmert(n, a);
            Assert.True(System.Math.Abs(u.Sum()) < 1e-15);
            for (int b = 1; b < n; b++)
            {
                Close.Assert(a == b ? 1 : 0, IrreducibleCoordinates.Dot(u, IrreducibleBasis.Helmert(n, b)), 1e-15, scale: 1);
            }
        }
    }

    [Fact]
    public void Bad_sizes_and_overlapping_spans_are_refused()
    {
        var matrix = new double[16];

        Assert.Throws<ArgumentOutOfRangeException>(() => IrreducibleCoordinates.Of(new double[9], 3));
        Assert.Throws<ArgumentException>(() => IrreducibleCoordinates.Of(new double[15], 4));
        Assert.Throws<ArgumentException>(() => IrreducibleDecomposition.ProjectV2(matrix, 4, new double[9]));
        Assert.Throws<ArgumentException>(() => IrreducibleDecomposition.ProjectV3(matrix, 4, matrix));
        Assert.Throws<ArgumentOutOfRangeException>(() => IrreducibleDecomposition.VhEmbedding(4, new double[4], 4, matrix));
        Assert.Throws<ArgumentException>(() => IrreducibleDecomposition.VhEmbedding(1, new double[5], 4, matrix));
        Assert.Throws<ArgumentOutOfRangeException>(() => IrreducibleBasis.Build(IrreducibleBasis.MaxSize + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IrreducibleBasis.Helmert(4, 4));
    }

    private static double[] Project(Projection project, double[] matrix, int n)
    {
        var result = new double[n * n];
        project(matrix, n, result);
        return result;
    }

    private static int Length(IrreducibleBasis basis, PigmmBlock block) => basis.Columns(block).GetOffsetAndLength(basis.N * basis.N).Length;

    private static double SumOfSquares(Vector<double> inner, Range columns) => inner.ToArray()[columns].Sum(z => z * z);

    private static int PatternOf(int i, int j, int k, int l)
    {
        int[] tuple = [i, j, k, l];
        var labels = new List<int>();
        var name = string.Concat(tuple.Select(index =>
        {
            if (!labels.Contains(index))
            {
                labels.Add(index);
            }
            return labels.IndexOf(index);
        }));
        return PigmmModel.CovariancePatternNames.ToList().IndexOf(name);
    }
}
