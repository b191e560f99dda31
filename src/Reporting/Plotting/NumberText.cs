using System.Globalization;

namespace OrleansPigmm.Reporting.Plotting;

/// <summary>Numbers as readers see them in figures and tables: invariant culture, no more
/// digits than the context needs, powers of ten with Unicode superscripts (10⁻⁴).</summary>
internal static class NumberText
{
    private const string SuperscriptDigits = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    /// <summary>A tick value at a multiple of <paramref name="step"/> (1, 2 or 5 times a power of
    /// ten): fixed-point with the decimals the step needs, or m×10ᵉ when that would be long.</summary>
    public static string TickLabel(double value, double step)
    {
        if (Math.Abs(value) < step * 1e-6)
        {
            return "0";
        }
        int stepExponent = Exponent(step);
        int valueExponent = Exponent(Math.Abs(value));
        if (stepExponent >= -4 && valueExponent < 6)
        {
            return value.ToString("F" + Math.Max(0, -stepExponent), CultureInfo.InvariantCulture);
        }
        double mantissa = value / Math.Pow(10, valueExponent);
        string digits = mantissa.ToString("F" + Math.Max(0, valueExponent - stepExponent), CultureInfo.InvariantCulture);
        return $"{digits}×10{Superscript(valueExponent)}";
    }

    /// <summary>10^exponent: plain for 0.001 to 10000, 10ᵉ beyond.</summary>
    public static string PowerOfTen(int exponent) =>
        exponent is >= -3 and <= 4 ? TickLabel(Math.Pow(10, exponent), Math.Pow(10, exponent)) : "10" + Superscript(exponent);

    /// <summary>Three significant digits, for values quoted in legends and notes.</summary>
    public static string Short(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }
        int exponent = Exponent(Math.Abs(value));
        if (exponent is >= -3 and < 5)
        {
            return Math.Round(value, Math.Max(0, 2 - exponent)).ToString(CultureInfo.InvariantCulture);
        }
        double mantissa = Math.Round(value / Math.Pow(10, exponent), 2);
        return $"{mantissa.ToString(CultureInfo.InvariantCulture)}×10{Superscript(exponent)}";
    }

    public static string Superscript(int exponent) =>
        string.Concat(exponent.ToString(CultureInfo.InvariantCulture).Select(c => c == '-' ? '⁻' : SuperscriptDigits[c - '0']));

    private static int Exponent(double positive) => (int)Math.Floor(Math.Log10(positive) + 1e-9);
}
