using System.Numerics;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Statistics;

public class ExactSumTests
{
    [Fact]
    public void One_survives_between_two_large_numbers_that_cancel()
    {
        double naive = 1e16 + 1 - 1e16;

        var sum = SumOf(1e16, 1, -1e16);

        Assert.NotEqual(1.0, naive);
        Assert.Equal(1.0, sum.ToDouble());
    }

    [Fact]
    public void Cancellation_of_the_largest_doubles_leaves_the_smallest_subnormal()
    {
        var sum = SumOf(double.MaxValue, double.MaxValue, double.Epsilon, -double.MaxValue, -double.MaxValue);

        Assert.Equal(double.Epsilon, sum.ToDouble());
        Assert.Equal(1, sum.Sign);
    }

    [Fact]
    public void A_sum_beyond_the_double_range_rounds_to_infinity_and_comes_back_exactly()
    {
        var sum = SumOf(double.MaxValue, double.MaxValue);
        Assert.Equal(double.PositiveInfinity, sum.ToDouble());
        Assert.Equal(double.MaxValue, sum.DividedBy(2));

        sum.Add(-double.MaxValue);

        Assert.Equal(double.MaxValue, sum.ToDouble());
    }

    [Fact]
    public void Subnormals_add_exactly()
    {
        Assert.Equal(3 * double.Epsilon, SumOf(double.Epsilon, double.Epsilon, double.Epsilon).ToDouble());
        double smallestNormal = BitConverter.UInt64BitsToDouble(1UL << 52);
        Assert.Equal(BitConverter.UInt64BitsToDouble((1UL << 52) - 1), SumOf(smallestNormal, -double.Epsilon).ToDouble());
    }

    [Fact]
    public void Zeros_add_nothing_and_an_exact_zero_reads_as_positive_zero()
    {
        var sum = SumOf(-0.0, 2.5, 0.0, -2.5, -0.0);

        Assert.Equal(0, sum.Sign);
        Assert.Equal(0UL, BitConverter.DoubleToUInt64Bits(sum.ToDouble()));
    }

    [Theory]
    [InlineData(53, 1, 53, 0)] // 2^53 + 1 is a tie: down to the even 2^53
    [InlineData(53, 3, 53, 4)] // 2^53 + 3 is a tie: up to the even 2^53 + 4
    public void Ties_round_to_even(int power, double extra, int expectedPower, double expectedExtra)
    {
        var sum = SumOf(System.Math.ScaleB(1, power), extra);

        Assert.Equal(System.Math.ScaleB(1, expectedPower) + expectedExtra, sum.ToDouble());
    }

    [Fact]
    public void A_bit_far_below_a_tie_breaks_it()
    {
        double halfUlpOfOne = System.Math.ScaleB(1, -53);

        Assert.Equal(1.0, SumOf(1, halfUlpOfOne).ToDouble());
        Assert.Equal(System.Math.BitIncrement(1.0), SumOf(1, halfUlpOfOne, System.Math.ScaleB(1, -1000)).ToDouble());
        Assert.Equal(-System.Math.BitIncrement(1.0), SumOf(-1, -halfUlpOfOne, -double.Epsilon).ToDouble());
        Assert.Equal(1.0, SumOf(1, halfUlpOfOne, -double.Epsilon).ToDouble());
    }

    [Theory]
    [InlineData(1, -1074, 1023)] // values all over the double range
    [InlineData(2, -60, 60)]     // values of similar size: many carries and cancellations
    [InlineData(3, -1074, -1000)] // subnormals and tiny normals
    [InlineData(4, 900, 1023)]   // huge values, sums far beyond double.MaxValue
    public void Random_sums_equal_the_big_integer_reference_and_round_correctly(int seed, int minExponent, int maxExponent)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 200; trial++)
        {
            var values = Enumerable.Range(0, random.Next(1, 60)).Select(_ => RandomDouble(random, minExponent, maxExponent)).ToArray();
            var reference = values.Aggregate(BigInteger.Zero, (total, value) => total + Scaled(value));

            var sum = SumOf(values);

            Assert.Equal(reference, sum.ScaledValue());
            AssertCorrectlyRounded(reference, sum.ToDouble());
        }
    }

    [Fact]
    public void Merging_in_any_grouping_equals_adding_in_sequence()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 500).Select(_ => RandomDouble(random, -200, 200)).ToArray();
        var sequential = SumOf(values);

        var parts = values.Chunk(37).Select(chunk => SumOf(chunk.Reverse().ToArray())).OrderBy(_ => random.Next()).ToList();
        var merged = new ExactSum();
        foreach (var part in parts)
        {
            merged.Add(part);
        }

        Assert.Equal(sequential.ScaledValue(), merged.ScaledValue());
        Assert.Equal(sequential.ToDouble(), merged.ToDouble());
    }

    [Fact]
    public void Repeated_self_merges_double_exactly_past_the_lazy_carry_limit_up_to_the_headroom()
    {
        // 2^62 copies of the largest double: the most an exact sum promises to hold.
        var sum = SumOf(double.MaxValue, -System.Math.ScaleB(1, -1074), 0.75);
        var expected = sum.ScaledValue() << 62;

        for (int doubling = 0; doubling < 62; doubling++)
        {
            sum.Add(sum);
        }

        Assert.Equal(expected, sum.ScaledValue());
        Assert.Equal(double.PositiveInfinity, sum.ToDouble());
        Assert.Equal(double.MaxValue, sum.DividedBy(1L << 62));
    }

    [Fact]
    public void Exact_products_keep_the_bits_a_rounded_product_loses()
    {
        double x = 1 + System.Math.ScaleB(1, -30);
        var sum = new ExactSum();

        sum.AddProduct(x, x);
        sum.Add(-1);
        sum.Add(-System.Math.ScaleB(1, -29));

        Assert.Equal(System.Math.ScaleB(1, -60), sum.ToDouble());
    }

    [Fact]
    public void Population_covariance_has_no_cancellation_for_a_large_common_offset()
    {
        double[] values = [1e8 + 0.25, 1e8 + 0.5, 1e8 + 0.75];
        var sum = SumOf(values);
        var squares = new ExactSum();
        foreach (double value in values)
        {
            squares.AddProduct(value, value);
        }

        double variance = ExactSum.PopulationCovariance(values.Length, sum, sum, squares);

        Assert.Equal(0.125 / 3, variance);
    }

    [Fact]
    public void Division_rounds_once()
    {
        Assert.Equal(1.0 / 3.0, SumOf(1).DividedBy(3));
        Assert.Equal(-2.0 / 7.0, SumOf(-1, -1).DividedBy(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => SumOf(1).DividedBy(0));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_values_are_refused_and_leave_the_sum_unchanged(double bad)
    {
        var sum = SumOf(1.5);

        var error = Assert.Throws<ArgumentException>(() => sum.Add(bad));
        Assert.Contains("finite", error.Message);
        Assert.Throws<ArgumentException>(() => sum.AddProduct(bad, 1));
        Assert.Throws<ArgumentException>(() => sum.AddProduct(1e200, 1e200));

        Assert.Equal(1.5, sum.ToDouble());
    }

    [Fact]
    public void A_clone_is_independent()
    {
        var sum = SumOf(2);
        var clone = sum.Clone();

        clone.Add(1);

        Assert.Equal(2, sum.ToDouble());
        Assert.Equal(3, clone.ToDouble());
    }

    private static ExactSum SumOf(params double[] values)
    {
        var sum = new ExactSum();
        foreach (double value in values)
        {
            sum.Add(value);
        }
        return sum;
    }

    /// <summary>value * 2^1074 as an integer, by way of the runtime's own scaling and conversion.</summary>
    internal static BigInteger Scaled(double value)
    {
        if (value == 0)
        {
            return BigInteger.Zero;
        }
        int scale = System.Math.Min(1074, 52 - System.Math.ILogB(value));
        return new BigInteger(System.Math.ScaleB(value, scale)) << (1074 - scale);
    }

    internal static double RandomDouble(Random random, int minExponent, int maxExponent)
    {
        double significand = 1 + random.NextDouble();
        double value = System.Math.ScaleB(significand, random.Next(minExponent, maxExponent + 1));
        return random.Next(2) == 0 ? value : -value;
    }

    /// <summary>No double is closer to the exact value; on a tie the significand is even.</summary>
    private static void AssertCorrectlyRounded(BigInteger exact, double rounded)
    {
        if (double.IsInfinity(rounded))
        {
            Assert.True(BigInteger.Abs(exact) >= Scaled(double.MaxValue), $"Rounded to infinity although |sum| < double.MaxValue.");
            return;
        }
        var distance = BigInteger.Abs(exact - Scaled(rounded));
        foreach (double neighbour in new[] { System.Math.BitIncrement(rounded), System.Math.BitDecrement(rounded) })
        {
            if (double.IsInfinity(neighbour))
            {
                continue;
            }
            var other = BigInteger.Abs(exact - Scaled(neighbour));
            Assert.True(distance <= other, $"{neighbour:R} is closer to the exact sum than {rounded:R}.");
            if (distance == other)
            {
                Assert.Equal(0UL, BitConverter.DoubleToUInt64Bits(rounded) & 1);
            }
        }
    }
}
