using System.Globalization;

namespace OrleansPigmm.Reporting;

/// <summary>The paper's numbering of its invariants, "I1".."I52" (pigmm-math.md section 5.2):
/// I1..I13 linear and quadratic, I14..I52 cubic and quartic.</summary>
internal static class PaperInvariants
{
    public const int LastQuadratic = 13;
    public const int FirstCubic = 14;
    public const int Last = 52;

    public static string Id(int number) => $"I{number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>k for "Ik" with 1 ≤ k ≤ 52; null for any other id.</summary>
    public static int? Number(string id) =>
        id.StartsWith('I') && int.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is >= 1 and <= Last
            ? number
            : null;
}
