using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Statistics;

public class InvariantAccumulatorTests
{
    private const string Catalogue = "paper-52";

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "infinite")]
    [InlineData(double.NegativeInfinity, "infinite")]
    [InlineData(1e160, "too large to square")]
    public void A_matrix_with_a_bad_invariant_is_refused_with_its_name_and_nothing_is_added(double bad, string problem)
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        ensemble.Add(Invariants(1));
        var before = ensemble.ToBytes();
        var values = Invariants(2);
        values[7] = bad;

        var error = Assert.Throws<ArgumentException>(() => ensemble.Add(values));

        Assert.Contains("I8 (index 7)", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(1, ensemble.Count);
        Assert.Equal(before, ensemble.ToBytes());
    }

    [Fact]
    public void A_matrix_with_the_wrong_number_of_invariants_is_refused()
    {
        var ensemble = new InvariantAccumulator(Catalogue, 14, 10);

        var error = Assert.Throws<ArgumentException>(() => ensemble.Add(Invariants(1)));

        Assert.Contains("Expected 14", error.Message);
    }

    [Theory]
    [InlineData("", 13, 10)]
    [InlineData(Catalogue, 12, 10)]
    [InlineData(Catalogue, 13, 3)]
    public void Construction_refuses_what_no_catalogue_or_PIGMM_can_be(string key, int invariantCount, int matrixSize)
    {
        Assert.ThrowsAny<ArgumentException>(() => new InvariantAccumulator(key, invariantCount, matrixSize));
    }

    [Theory]
    [InlineData("other", 13, 10)]
    [InlineData(Catalogue, 14, 10)]
    [InlineData(Catalogue, 13, 11)]
    public void Accumulators_of_different_catalogues_or_sizes_do_not_merge(string key, int invariantCount, int matrixSize)
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        var other = new InvariantAccumulator(key, invariantCount, matrixSize);

        var error = Assert.Throws<ArgumentException>(() => ensemble.Merge(other));

        Assert.Contains("Cannot merge", error.Message);
    }

    [Fact]
    public void An_empty_accumulator_has_no_statistics()
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);

        Assert.Throws<InvalidOperationException>(() => ensemble.Mean(0));
        Assert.Throws<InvalidOperationException>(() => ensemble.PopulationStd(0));
        Assert.Throws<InvalidOperationException>(() => ensemble.ToQuadraticStatistics());
    }

    [Fact]
    public void Indices_outside_the_catalogue_are_refused()
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        ensemble.Add(Invariants(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => ensemble.Mean(13));
        Assert.Throws<ArgumentOutOfRangeException>(() => ensemble.PopulationStd(-1));
    }

    [Fact]
    public void A_constant_invariant_has_a_spread_of_exactly_zero()
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        for (int s = 0; s < 7; s++)
        {
            ensemble.Add(Invariants(0.1));
        }

        Assert.Equal(0.1, ensemble.Mean(0));
        Assert.All(ensemble.PopulationStds(), std => Assert.Equal(0.0, std));
    }

    [Fact]
    public void Means_and_population_spreads_use_one_over_N()
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        ensemble.Add(Invariants(1));
        ensemble.Add(Invariants(2));
        ensemble.Add(Invariants(6));

        Assert.Equal(3, ensemble.Count);
        Assert.Equal(3.0, ensemble.Mean(0));
        Assert.Equal(14.0 / 3, ensemble.PopulationVariance(0));
        Assert.Equal(System.Math.Sqrt(14.0 / 3), ensemble.PopulationStd(0));
        Assert.Equal(Enumerable.Repeat(3.0, 13).Select((mean, k) => mean * (k + 1)).ToArray(), ensemble.Means());
    }

    [Fact]
    public void Centred_moments_survive_a_common_offset_that_defeats_the_literal_formula()
    {
        // t = 1e8 + a, S = 3e9 + b with small exact a, b: the spread is ~0.1 while mean(I10) ~ 9e18,
        // whose last bit alone is worth 2048.
        double[] traceOffsets = [0.25, -0.5, 0.125, 0.75, -0.25, 0.0];
        double[] totalOffsets = [-0.375, 0.5, 0.25, 0.0, -0.125, 0.625];
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        var means = new double[13];
        for (int s = 0; s < traceOffsets.Length; s++)
        {
            double t = 1e8 + traceOffsets[s], total = 3e9 + totalOffsets[s];
            var values = Invariants(1);
            (values[0], values[1], values[9], values[11], values[12]) = (t, total, total * total, t * t, t * total);
            ensemble.Add(values);
            for (int k = 0; k < 13; k++)
            {
                means[k] += values[k] / traceOffsets.Length;
            }
        }

        var exact = ensemble.ToQuadraticStatistics();
        var literal = QuadraticStatistics.FromMeans(10, traceOffsets.Length, means);

        Assert.Equal(PopulationCovariance(totalOffsets, totalOffsets), exact.TotalVariance, 1e-15);
        Assert.Equal(PopulationCovariance(traceOffsets, totalOffsets), exact.TraceTotalCovariance, 1e-15);
        Assert.Equal(PopulationCovariance(traceOffsets, traceOffsets), exact.TraceVariance, 1e-15);
        Assert.True(System.Math.Abs(literal.TotalVariance - exact.TotalVariance) > 10 * exact.TotalVariance, "The literal formula was expected to lose every digit here.");
    }

    [Fact]
    public void Combine_leaves_both_inputs_unchanged_and_equals_merging()
    {
        var first = new InvariantAccumulator(Catalogue, 13, 10);
        first.Add(Invariants(1));
        var second = new InvariantAccumulator(Catalogue, 13, 10);
        second.Add(Invariants(-3.5));
        var firstBytes = first.ToBytes();
        var secondBytes = second.ToBytes();

        var combined = InvariantAccumulator.Combine(first, second);

        Assert.Equal(firstBytes, first.ToBytes());
        Assert.Equal(secondBytes, second.ToBytes());
        first.Merge(second);
        Assert.Equal(first.ToBytes(), combined.ToBytes());
        Assert.Equal(2, combined.Count);
    }

    [Fact]
    public void Merging_an_accumulator_into_itself_doubles_it()
    {
        var ensemble = new InvariantAccumulator(Catalogue, 13, 10);
        ensemble.Add(Invariants(1));
        var twice = new InvariantAccumulator(Catalogue, 13, 10);
        twice.Add(Invariants(1));
        twice.Add(Invariants(1));

        ensemble.Merge(ensemble);

        Assert.Equal(twice.ToBytes(), ensemble.ToBytes());
    }

    internal static double[] Invariants(double scale) => Enumerable.Range(1, 13).Select(k => scale * k).ToArray();

    private static double PopulationCovariance(double[] x, double[] y)
    {
        double meanX = x.Average(), meanY = y.Average();
        return x.Zip(y, (a, b) => (a - meanX) * (b - meanY)).Sum() / x.Length;
    }
}
