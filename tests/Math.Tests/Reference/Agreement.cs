using Xunit.Sdk;

namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>Comparisons of computed values with a stated number of digits.</summary>
internal static class Agreement
{
    /// <summary>The log relative error -log10(|actual - expected| / |expected|): the number of
    /// significant digits that agree (NIST StRD convention); 16 when equal.</summary>
    public static double Digits(double expected, double actual) =>
        actual == expected ? 16 : -System.Math.Log10(System.Math.Abs(actual - expected) / System.Math.Abs(expected));

    /// <summary>
    /// Fails unless |actual - expected| &lt;= relative * max(|expected|, termMagnitude): an
    /// invariant that is a difference of large terms can only be computed to a given number of
    /// digits relative to the size of its terms (<see cref="BruteForce.TermMagnitude"/>).
    /// </summary>
    public static void WithinTermScale(double expected, double actual, double termMagnitude, string what, double relative = 1e-12)
    {
        double scale = System.Math.Max(System.Math.Abs(expected), termMagnitude);
        if (!(System.Math.Abs(actual - expected) <= relative * scale))
        {
            throw new XunitException($"{what}: expected {expected:R}, got {actual:R} (difference {actual - expected:E2}, allowed {relative * scale:E2}).");
        }
    }
}
