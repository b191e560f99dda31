using MathNet.Numerics.LinearAlgebra;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Model;

public class PigmmParametersTests
{
    [Fact]
    public void Blocks_and_array_describe_the_same_parameters_in_the_spec_order()
    {
        var fromArray = PigmmParameters.FromArray(ReferenceData.Parameters);
        var fromBlocks = PigmmParameters.FromBlocks(
            0.3, -0.2,
            Matrix<double>.Build.DenseOfArray(new[,] { { 0.05, 0.01 }, { 0.01, 0.04 } }),
            Matrix<double>.Build.DenseOfArray(new[,] { { 0.03, 0.005, -0.004 }, { 0.005, 0.025, 0.002 }, { -0.004, 0.002, 0.02 } }),
            0.015, 0.01);

        Assert.Equal(fromArray, fromBlocks);
        Assert.Equal(fromArray.GetHashCode(), fromBlocks.GetHashCode());
        Assert.Equal(ReferenceData.Parameters, fromArray.ToArray());
        Assert.Equal(ReferenceData.Parameters, fromArray.Values.ToArray());
        Assert.Equal(fromArray.CovarianceV0, fromBlocks.CovarianceV0);
        Assert.Equal(0.025, fromArray.CovarianceVH[1, 1]);
        Assert.Equal(-0.004, fromArray.CovarianceVH[2, 0]);
        Assert.Equal((0.3, -0.2, 0.015, 0.01), (fromArray.MeanX1, fromArray.MeanX2, fromArray.VarianceV2, fromArray.VarianceV3));
    }

    [Fact]
    public void Named_factories_give_the_iid_and_simple_gaussian_parameters()
    {
        Assert.Equal([2.5, 0, 0.1, 0, 0.1, 0.1, 0, 0, 0.1, 0, 0.1, 0.1, 0.1], PigmmParameters.Iid(0.25, 0.1, 10).ToArray());
        Assert.Equal([0, 0, 0.999 * 0.1, 0, 0.999 * 0.1, 0.1, 0, 0, 0.1, 0, 0.1, 0.1, 0.1], PigmmParameters.SimpleGaussianReference(0.1, 1000).ToArray());
    }

    [Fact]
    public void Invalid_input_is_refused_with_a_message_naming_it()
    {
        var nan = ReferenceData.Parameters.ToArray();
        nan[4] = double.NaN;

        Assert.Contains("f5 is NaN", Assert.Throws<ArgumentException>(() => PigmmParameters.FromArray(nan)).Message);
        Assert.Throws<ArgumentException>(() => PigmmParameters.FromArray(new double[12]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PigmmParameters.Iid(0, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PigmmParameters.Iid(0, double.NaN, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PigmmParameters.Iid(0, 1, 3));
        Assert.Throws<ArgumentException>(() => PigmmParameters.Iid(double.PositiveInfinity, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PigmmParameters.SimpleGaussianReference(0.1, 0));
        var asymmetric = Matrix<double>.Build.DenseOfArray(new[,] { { 1.0, 0.1 }, { 0.2, 1.0 } });
        Assert.Contains("symmetric", Assert.Throws<ArgumentException>(() => PigmmParameters.FromBlocks(0, 0, asymmetric, Matrix<double>.Build.DenseIdentity(3), 1, 1)).Message);
        Assert.Throws<ArgumentException>(() => PigmmParameters.FromBlocks(0, 0, Matrix<double>.Build.DenseIdentity(3), Matrix<double>.Build.DenseIdentity(3), 1, 1));
    }

    [Fact]
    public void A_non_semidefinite_block_is_reported_by_name_with_its_eigenvalues_on_one_line()
    {
        // LH with a negative eigenvalue: the copies cannot be that strongly correlated.
        var f = ReferenceData.Parameters.ToArray();
        f[6] = 0.04;
        var parameters = PigmmParameters.FromArray(f);

        Assert.False(parameters.IsProperDensity);
        var error = Assert.Throws<InvalidModelException>(parameters.EnsurePositiveSemidefinite);
        Assert.Equal(PigmmBlock.VH, error.Block);
        Assert.Equal(3, error.Eigenvalues.Count);
        Assert.True(error.Eigenvalues[0] < 0);
        Assert.Equal(error.Eigenvalues.Order(), error.Eigenvalues);
        Assert.StartsWith("The VH covariance block LH is not positive semidefinite (eigenvalues -", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Zero_variances_are_semidefinite_but_not_a_proper_density()
    {
        var f = ReferenceData.Parameters.ToArray();
        f[11] = 0;
        var parameters = PigmmParameters.FromArray(f);

        parameters.EnsurePositiveSemidefinite();
        Assert.False(parameters.IsProperDensity);
        var error = Assert.Throws<InvalidModelException>(parameters.EnsureProperDensity);
        Assert.Equal(PigmmBlock.V2, error.Block);
        Assert.Equal("The V2 variance f12 is 0; it must be > 0.", error.Message);
        Assert.True(PigmmParameters.FromArray(ReferenceData.Parameters).IsProperDensity);
    }

    [Fact]
    public void Rounding_below_the_tolerance_is_not_a_negative_eigenvalue()
    {
        var f = ReferenceData.Parameters.ToArray();
        f[12] = -1e-3 * PigmmParameters.RoundingTolerance;
        PigmmParameters.FromArray(f).EnsurePositiveSemidefinite();

        f[12] = -1e3 * PigmmParameters.RoundingTolerance;
        Assert.Equal(PigmmBlock.V3, Assert.Throws<InvalidModelException>(PigmmParameters.FromArray(f).EnsurePositiveSemidefinite).Block);
    }

    [Fact]
    public void ToString_shows_every_block_with_its_symbol_at_full_precision()
    {
        var text = PigmmParameters.FromArray(ReferenceData.Parameters).ToString();

        Assert.Equal("PIGMM(f1, f2 = 0.3, -0.2; L0 = [[0.05, 0.01], [0.01, 0.04]]; LH = [[0.03, 0.005, -0.004], [0.005, 0.025, 0.002], [-0.004, 0.002, 0.02]]; f12 = 0.015; f13 = 0.01)", text);
    }
}
