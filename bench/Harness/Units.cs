using System.Globalization;

namespace OrleansPigmm.Benchmarks.Harness;

/// <summary>Formatting of measured figures with units.</summary>
public static class Units
{
    /// <summary>A duration in s, ms, µs or ns with three significant digits.</summary>
    public static string Seconds(double seconds) => seconds switch
    {
        >= 1 => Format(seconds, "s"),
        >= 1e-3 => Format(seconds * 1e3, "ms"),
        >= 1e-6 => Format(seconds * 1e6, "µs"),
        _ => Format(seconds * 1e9, "ns"),
    };

    /// <summary>A ratio such as "3.2x".</summary>
    public static string Ratio(double ratio) => Format(ratio, "x").Replace(" x", "x", StringComparison.Ordinal);

    private static string Format(double value, string unit) =>
        value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture) + " " + unit;
}
