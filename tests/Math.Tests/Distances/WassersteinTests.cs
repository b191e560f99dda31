using FsCheck;
using FsCheck.Fluent;
using MathNet.Numerics.LinearAlgebra;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Distances;

public class WassersteinTests
{
    private static readonly PigmmParameters Reference = PigmmParameters.FromArray(ReferenceData.Parameters);

    public static TheoryData<string, double, double> TableT5 => new()
    {
        { "iid-0.1", 3.85169906106806, 1.96257460012812 },
        { "simple-0.1", 3.85163220258047, 1.96255756669211 },
        { "simple-1/30", 0.535936854645976, 0.732077082448273 },
        { "scaled-n4", 0.0314698652844747, 0.177397478235951 },
        { "iid-n640", 2175.21167173787, 46.6391645694674 },
    };

    [Theory]
    [MemberData(nameof(TableT5))]
    public void Distances_match_table_T5(string row, double squared, double distance)
    {
        var scaled = ReferenceData.Parameters.ToArray();
        scaled[2] *= 2;
        scaled[8] *= 0.5;
        scaled[11] *= 3;
        var (n, other) = row switch
        {
            "iid-0.1" => (10, PigmmParameters.Iid(0, 0.1, 10)),
            "simple-0.1" => (10, PigmmParameters.SimpleGaussianReference(0.1, 1000)),
            "simple-1/30" => (10, PigmmParameters.SimpleGaussianReference(1.0 / 30, 1000)),
            "scaled-n4" => (4, PigmmParameters.FromArray(scaled)),
            _ => (640, PigmmParameters.Iid(0, 1.0 / 640, 640)),
        };
        var a = new PigmmModel(n, Reference);
        var b = new PigmmModel(n, other);
        double tolerance = n == 640 ? 1e-10 : 1e-12;

        Close.Assert(squared, Wasserstein.SquaredDistance(a, b), tolerance, what: $"{row} W2^2");
        Close.Assert(distance, Wasserstein.Distance(a, b), tolerance, what: $"{row} W2");
    }

    [Fact]
    public void The_distance_is_a_metric_on_random_valid_models()
    {
        var cases = RandomModels.ParametersGen.Three().Zip(Gen.Elements(4, 5, 8, 100));

        Prop.ForAll(cases.ToArbitrary(), entry =>
        {
            var ((p, q, r), n) = entry;
            var (a, b, c) = (new PigmmModel(n, p), new PigmmModel(n, q), new PigmmModel(n, r));
            // W2^2 to the point mass at 0 is |mean|^2 + tr C: the scale of the rounding.
            double scale = Wasserstein.SquaredDistance(a, new PigmmModel(n, PigmmParameters.Iid(0, 0, n)));

            Assert.True(System.Math.Abs(Wasserstein.SquaredDistance(a, a)) < 1e-13 * scale);
            Close.Assert(Wasserstein.SquaredDistance(a, b), Wasserstein.SquaredDistance(b, a), 1e-12, scale: 1);
            Assert.True(Wasserstein.Distance(a, c) <= Wasserstein.Distance(a, b) + Wasserstein.Distance(b, c) + 1e-12);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_pure_mean_shift_costs_the_euclidean_shift_of_the_mean_matrices()
    {
        const int n = 5;
        var shifted = ReferenceData.Parameters.ToArray();
        shifted[0] += 0.7;
        shifted[1] -= 0.4;
        var a = new PigmmModel(n, Reference);
        var b = new PigmmModel(n, PigmmParameters.FromArray(shifted));
        double meanShift = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                meanShift += System.Math.Pow(a.Mean(i, j) - b.Mean(i, j), 2);
            }
        }

        Close.Assert(0.7 * 0.7 + 0.4 * 0.4, Wasserstein.SquaredDistance(a, b), 1e-12, what: "W2^2");
        Close.Assert(meanShift, Wasserstein.SquaredDistance(a, b), 1e-12, what: "|dM|^2");
    }

    [Theory]
    [InlineData(4, 0.1, 0.4)]
    [InlineData(640, 1.0 / 640, 1.0 / 1920)]
    public void Two_iid_models_are_n_squared_times_the_squared_difference_of_standard_deviations_apart(int n, double s2, double other)
    {
        var a = new PigmmModel(n, PigmmParameters.Iid(0, s2, n));
        var b = new PigmmModel(n, PigmmParameters.Iid(0, other, n));

        Close.Assert((double)n * n * System.Math.Pow(System.Math.Sqrt(s2) - System.Math.Sqrt(other), 2), Wasserstein.SquaredDistance(a, b), 1e-12);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void The_block_split_equals_the_generic_gaussian_formula_on_the_full_covariances(int n)
    {
        var random = new Random(70 + n);
        var a = new PigmmModel(n, RandomModels.Parameters(random));
        var b = new PigmmModel(n, RandomModels.Parameters(random));
        var denseA = DenseGaussian.Of(a);
        var denseB = DenseGaussian.Of(b);

        var rootA = SymmetricRoot(denseA.Covariance);
        var middle = rootA * denseB.Covariance * rootA;
        double expected = (denseA.Mean - denseB.Mean).DotProduct(denseA.Mean - denseB.Mean)
            + denseA.Covariance.Trace() + denseB.Covariance.Trace()
            - 2 * SymmetricRoot((middle + middle.Transpose()) / 2).Trace();

        Close.Assert(expected, Wasserstein.SquaredDistance(a, b), 1e-10, what: "W2^2");
    }

    [Fact]
    public void Models_of_different_sizes_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Wasserstein.Distance(new PigmmModel(4, Reference), new PigmmModel(5, Reference)));

        Assert.Contains("n = 4 and n = 5", error.Message);
    }

    private static Matrix<double> SymmetricRoot(Matrix<double> symmetric)
    {
        var evd = symmetric.Evd(Symmetricity.Symmetric);
        var roots = Matrix<double>.Build.DiagonalOfDiagonalArray(evd.EigenValues.Select(value => System.Math.Sqrt(System.Math.Max(value.Real, 0))).ToArray());
        return evd.EigenVectors * roots * evd.EigenVectors.Transpose();
    }
}
