using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Fitting;

public class InitialisationNoiseTests
{
    [Fact]
    public void The_run_to_run_spread_of_the_paper_s_Gaussian_initialisation_matches_section_11()
    {
        var spread = InitialisationNoise.StandardDeviations(10, 1000, 0.1);

        // Section 11 quotes two significant digits.
        double[] quoted = [0.010, 0.010, 0.0045, 0.0032, 0.0045, 0.0015, 0.0010, 0.0010, 0.0015, 0.0010, 0.0015, 0.00076, 0.00076];
        for (int q = 0; q < 13; q++)
        {
            Assert.InRange(spread[q] / quoted[q], 0.94, 1.06);
        }
    }

    [Fact]
    public void The_spread_scales_with_the_entry_variance()
    {
        var gaussian = InitialisationNoise.StandardDeviations(10, 1000, 0.1);
        var uniform = InitialisationNoise.StandardDeviations(10, 1000, 1 / 30.0);

        Assert.All(gaussian.Zip(uniform, (g, u) => u / g).Skip(2), ratio => Assert.Equal(1 / 3.0, ratio, 12));
    }

    [Theory]
    [InlineData(3, 1000, 0.1)]
    [InlineData(10, 1, 0.1)]
    [InlineData(10, 1000, 0)]
    [InlineData(10, 1000, double.NaN)]
    public void Invalid_arguments_are_refused(int n, long samples, double variance)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InitialisationNoise.StandardDeviations(n, samples, variance));
    }
}
