namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>Assertions of numerical agreement with a stated relative tolerance.</summary>
internal static class Close
{
    /// <summary>|actual - expected| &lt;= tolerance max(|expected|, scale); scale guards values
    /// that are zero or small differences of larger numbers.</summary>
    public static void Assert(double expected, double actual, double tolerance, double scale = 0, string what = "")
    {
        double bound = tolerance * System.Math.Max(System.Math.Abs(expected), scale);
        if (!(System.Math.Abs(actual - expected) <= bound))
        {
            throw new Xunit.Sdk.XunitException(
                $"{what}: expected {expected:R}, got {actual:R} (difference {actual - expected:G3}, allowed {bound:G3}).");
        }
    }

    /// <summary>Elementwise <see cref="Assert(double, double, double, double, string)"/>.</summary>
    public static void All(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, double scale = 0, string what = "")
    {
        Xunit.Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
        {
            Assert(expected[k], actual[k], tolerance, scale, $"{what}[{k}]");
        }
    }
}
