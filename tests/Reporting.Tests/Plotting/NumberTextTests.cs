using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting.Tests.Plotting;

public sealed class NumberTextTests
{
    [Theory]
    [InlineData(0.4, 0.2, "0.4")]
    [InlineData(1, 0.2, "1.0")]
    [InlineData(-0.0005, 0.0005, "-0.0005")]
    [InlineData(1e-17, 0.5, "0")]
    [InlineData(2e-5, 1e-5, "2×10⁻⁵")]
    [InlineData(1.5e-5, 5e-6, "1.5×10⁻⁵")]
    [InlineData(3e6, 1e6, "3×10⁶")]
    [InlineData(1200, 200, "1200")]
    public void Tick_labels_have_the_digits_their_step_needs(double value, double step, string expected)
    {
        Assert.Equal(expected, NumberText.TickLabel(value, step));
    }

    [Theory]
    [InlineData(0.031622776601683794, "0.0316")]
    [InlineData(1000, "1000")]
    [InlineData(0.1, "0.1")]
    [InlineData(2.5e-7, "2.5×10⁻⁷")]
    [InlineData(-123456789, "-1.23×10⁸")]
    public void Short_numbers_keep_three_significant_digits(double value, string expected)
    {
        Assert.Equal(expected, NumberText.Short(value));
    }
}
