using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting.Tests.Plotting;

public sealed class AxisTests
{
    private static List<string> Labels(Axis axis) => [.. axis.Ticks.Where(tick => tick.Label is not null).Select(tick => tick.Label!)];

    [Fact]
    public void A_linear_range_is_widened_to_multiples_of_a_1_2_5_step()
    {
        var axis = Axis.Fit([0.03, 0.97], new AxisOptions());

        Assert.False(axis.IsLog);
        Assert.Equal(["0", "0.2", "0.4", "0.6", "0.8", "1.0"], Labels(axis));
    }

    [Fact]
    public void Magnitudes_spanning_two_decades_get_a_log_axis_of_whole_decades()
    {
        var axis = Axis.Fit([0.02, 0.5, 30], new AxisOptions());

        Assert.True(axis.IsLog);
        Assert.Equal(["0.01", "0.1", "1", "10", "100"], Labels(axis));
        Assert.Equal(0, axis.Fraction(0.01), 12);
        Assert.Equal(1, axis.Fraction(100), 12);
    }

    [Fact]
    public void A_zero_among_magnitudes_does_not_prevent_a_log_axis_but_is_not_shown()
    {
        var axis = Axis.Fit([0, 0.02, 30], new AxisOptions());

        Assert.True(axis.IsLog);
        Assert.False(axis.Shows(0));
        Assert.True(axis.Shows(0.02));
    }

    [Theory]
    [InlineData(-0.5, 30)]
    [InlineData(0.02, 1.5)]
    public void Negative_values_or_a_narrow_span_keep_the_axis_linear(double low, double high)
    {
        Assert.False(Axis.Fit([low, high], new AxisOptions()).IsLog);
        Assert.False(Axis.Fit([0.02, 30], new AxisOptions(AllowLog: false)).IsLog);
    }

    [Fact]
    public void One_or_two_decades_label_2_and_5_too()
    {
        var axis = Axis.Fit([0.01, 0.3, 1], new AxisOptions());

        Assert.Equal(["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"], Labels(axis));
    }

    [Fact]
    public void Many_decades_label_every_few_and_write_powers_of_ten()
    {
        var axis = Axis.Fit([1e-300, 1e300], new AxisOptions());

        Assert.Equal(["10⁻³⁰⁰", "10⁻²⁰⁰", "10⁻¹⁰⁰", "1", "10¹⁰⁰", "10²⁰⁰", "10³⁰⁰"], Labels(axis));
        Assert.Equal(7, axis.Ticks.Count);
    }

    [Fact]
    public void Small_changes_of_a_large_value_get_distinct_labels()
    {
        var axis = Axis.Fit([0.0999, 0.1003], new AxisOptions(TargetTicks: 4));

        var labels = Labels(axis);
        Assert.Equal(labels.Distinct().Count(), labels.Count);
        Assert.Equal(["0.0999", "0.1000", "0.1001", "0.1002", "0.1003"], labels);
    }

    [Theory]
    [InlineData(-1e300, 1e300)]
    [InlineData(-double.MaxValue, double.MaxValue)]
    [InlineData(1e-300, 1.000000000001e-300)]
    [InlineData(0, 0)]
    [InlineData(-7, -7)]
    public void Any_range_of_finite_values_gives_finite_fractions_and_ticks(double low, double high)
    {
        var axis = Axis.Fit([low, high, double.NaN, double.PositiveInfinity], new AxisOptions(AllowLog: false));

        Assert.NotEmpty(axis.Ticks);
        Assert.All(axis.Ticks, tick => Assert.True(double.IsFinite(axis.Fraction(tick.Value)), $"Tick {tick.Value} has no place."));
        foreach (double value in new[] { low, high }.Where(axis.Shows))
        {
            Assert.InRange(axis.Fraction(value), -1e-9, 1 + 1e-9);
        }
    }

    [Fact]
    public void Values_beyond_the_drawable_range_are_not_shown()
    {
        var axis = Axis.Fit([1, 2], new AxisOptions());

        Assert.False(axis.Shows(double.NaN));
        Assert.False(axis.Shows(double.PositiveInfinity));
        Assert.False(axis.Shows(double.MaxValue));
        Assert.False(axis.Shows(3));
    }

    [Theory]
    [InlineData(0, 0, new[] { "0" })]
    [InlineData(0, 10, new[] { "0", "2", "4", "6", "8", "10" })]
    [InlineData(1, 50, new[] { "10", "20", "30", "40", "50" })]
    [InlineData(3, 4, new[] { "3", "4" })]
    public void Epoch_axes_tick_whole_numbers_inside_the_epochs_fitted(int first, int last, string[] expected)
    {
        Assert.Equal(expected, Labels(LinearAxis.Counting(first, last, 5)));
    }
}
