using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Model;

public class PigmmModelTests
{
    private static readonly PigmmParameters Reference = PigmmParameters.FromArray(ReferenceData.Parameters);

    public static TheoryData<int> Sizes => [4, 5, 6, 7];

    [Fact]
    public void Mean_and_covariance_of_the_reference_model_match_table_T3()
    {
        var model = new PigmmModel(10, Reference);

        Close.Assert(ReferenceData.AlphaN10, model.Alpha, 1e-12, what: "alpha");
        Close.Assert(ReferenceData.BetaN10, model.Beta, 1e-12, what: "beta");
        Close.All(ReferenceData.PatternCovariancesN10, model.PatternCovariances, 1e-12, what: "v");
        // cc values are differences of the v's (up to 0.024): compare on that scale.
        Close.All(ReferenceData.AtLeastCoefficientsN10, model.AtLeastCoefficients, 1e-12, scale: 1e-2, what: "cc");
        Assert.Equal(["0000", "0001", "0010", "0011", "0012", "0100", "0101", "0102", "0110", "0111", "0112", "0120", "0121", "0122", "0123"], PigmmModel.CovariancePatternNames);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Index_form_mean_and_covariance_equal_the_dense_gaussian_built_from_the_basis(int n)
    {
        var model = new PigmmModel(n, RandomModels.Parameters(new Random(n)));
        var dense = DenseGaussian.Of(model);
        var cc = model.AtLeastCoefficients;

        for (int row = 0; row < n * n; row++)
        {
            int i = row / n, j = row % n;
            Close.Assert(dense.Mean[row], model.Mean(i, j), 1e-13, scale: 1, what: $"E[W[{i}][{j}]]");
            for (int column = 0; column < n * n; column++)
            {
                int k = column / n, l = column % n;
                double expected = dense.Covariance[row, column];
                Close.Assert(expected, model.Covariance(i, j, k, l), 1e-13, scale: 1, what: $"Cov at ({i},{j},{k},{l})");
                // The at-least expansion: sum of cc[sigma] over the patterns sigma that (i, j, k, l) satisfies.
                int[] tuple = [i, j, k, l];
                double expansion = Enumerable.Range(0, 15)
                    .Where(s => Satisfies(PigmmModel.CovariancePatternNames[s], tuple))
                    .Sum(s => cc[s]);
                Close.Assert(expected, expansion, 1e-13, scale: 1, what: $"sum cc at ({i},{j},{k},{l})");
            }
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(640)]
    public void Iid_entries_have_variance_on_0000_and_0101_only(int n)
    {
        var model = new PigmmModel(n, PigmmParameters.Iid(0.7, 0.25, n));

        Close.Assert(0.7, model.Mean(0, 1), 1e-14, what: "off-diagonal mean");
        Close.Assert(0.7, model.Mean(2, 2), 1e-14, what: "diagonal mean");
        for (int p = 0; p < 15; p++)
        {
            string pattern = PigmmModel.CovariancePatternNames[p];
            double expected = pattern is "0000" or "0101" ? 0.25 : 0;
            Close.Assert(expected, model.PatternCovariances[p], 1e-13, scale: 0.25, what: pattern);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(640)]
    public void The_forward_map_gives_table_T2_and_the_exact_expectations_of_I1_to_I13(int n)
    {
        var expected = n switch
        {
            4 => ReferenceData.ExpectationsN4,
            10 => ReferenceData.ExpectationsN10,
            _ => ReferenceData.ExpectationsN640,
        };
        var model = new PigmmModel(n, Reference);
        var randomModel = new PigmmModel(n, RandomModels.Parameters(new Random(n)));
        var plan = ExpectationPlan.Compile(ReferenceData.PaperSpecs.Take(13).Select(InvariantGraph.Parse));

        Close.All(expected[..13], model.ExpectedQuadraticInvariants(), n == 640 ? 1e-10 : 1e-12, what: "E[I1..I13]");
        Close.All(plan.Evaluate(randomModel), randomModel.ExpectedQuadraticInvariants(), 1e-12, scale: 1e-3, what: "forward map vs plan");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void The_log_density_is_that_of_the_dense_gaussian(int n)
    {
        var model = new PigmmModel(n, RandomModels.Parameters(new Random(30 + n)));
        var dense = DenseGaussian.Of(model);
        var cholesky = dense.Covariance.Cholesky();
        var random = new Random(n);

        for (int trial = 0; trial < 5; trial++)
        {
            var matrix = RandomModels.Matrix(random, n, mean: 0.3);
            var deviation = Vector<double>.Build.DenseOfArray(matrix) - dense.Mean;
            double expected = -0.5 * (deviation.DotProduct(cholesky.Solve(deviation)) + cholesky.DeterminantLn + n * n * System.Math.Log(2 * System.Math.PI));

            Close.Assert(expected, model.LogDensity(matrix), 1e-12, what: "log p");
        }
    }

    [Fact]
    public void A_singular_model_has_expectations_but_no_log_density()
    {
        var singular = PigmmParameters.FromArray([0.1, 0.2, 0, 0, 0, 0.03, 0.005, -0.004, 0.025, 0.002, 0.02, 0.015, 0.01]);
        var model = new PigmmModel(5, singular);

        Assert.False(singular.IsProperDensity);
        Assert.True(double.IsFinite(model.Expectation(InvariantGraph.Parse("ij,jk"))));
        var error = Assert.Throws<InvalidModelException>(() => model.LogDensity(new double[25]));
        Assert.Equal(PigmmBlock.V0, error.Block);
        Assert.Contains("not positive definite", error.Message);
    }

    [Fact]
    public void Log_density_propagates_NaN_and_checks_the_shape()
    {
        var model = new PigmmModel(4, Reference);
        var matrix = new double[16];
        matrix[5] = double.NaN;

        Assert.True(double.IsNaN(model.LogDensity(matrix)));
        Assert.Throws<ArgumentException>(() => model.LogDensity(new double[15]));
    }

    [Fact]
    public void Sizes_below_four_indices_out_of_range_and_invalid_blocks_are_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PigmmModel(3, Reference));
        Assert.Contains("n >= 4", error.Message);
        var model = new PigmmModel(4, Reference);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Mean(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Covariance(0, 0, -1, 0));
        var invalid = ReferenceData.Parameters.ToArray();
        invalid[12] = -0.01;
        var blockError = Assert.Throws<InvalidModelException>(() => new PigmmModel(4, PigmmParameters.FromArray(invalid)));
        Assert.Equal(PigmmBlock.V3, blockError.Block);
    }

    [Fact]
    public void At_least_coefficients_sum_back_to_the_pattern_covariances_for_any_valid_model_and_size()
    {
        var cases = RandomModels.ParametersGen.Zip(Gen.Choose(4, 1000));

        Prop.ForAll(cases.ToArbitrary(), entry =>
        {
            var (parameters, n) = entry;
            var model = new PigmmModel(n, parameters);
            for (int rho = 0; rho < 15; rho++)
            {
                // A representative tuple of rho: its digits are distinct indices exactly where rho's blocks differ.
                int[] tuple = PigmmModel.CovariancePatternNames[rho].Select(digit => digit - '0').ToArray();
                double sum = Enumerable.Range(0, 15).Where(s => Satisfies(PigmmModel.CovariancePatternNames[s], tuple)).Sum(s => model.AtLeastCoefficients[s]);
                Close.Assert(model.PatternCovariances[rho], sum, 1e-13, scale: 1);
                Assert.Equal(model.PatternCovariances[rho], model.Covariance(tuple[0], tuple[1], tuple[2], tuple[3]));
            }
        }).QuickCheckThrowOnFailure();
    }

    private static bool Satisfies(string pattern, int[] tuple)
    {
        for (int p = 0; p < 4; p++)
        {
            for (int q = 0; q < 4; q++)
            {
                if (pattern[p] == pattern[q] && tuple[p] != tuple[q])
                {
                    return false;
                }
            }
        }
        return true;
    }
}
