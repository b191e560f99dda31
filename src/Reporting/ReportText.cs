using System.Globalization;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>Phrases the report uses in more than one place.</summary>
internal static class ReportText
{
    /// <summary>E.g. "Gaussian N(0, 0.1)" or "uniform U(−0.183, 0.183), variance 0.0111".</summary>
    public static string Law(InitialLaw law) => law.Distribution.ToLowerInvariant() switch
    {
        "gaussian" => $"Gaussian N(0, {NumberText.Short(law.Variance)})",
        "uniform" when law.Variance >= 0 => $"uniform U(−{NumberText.Short(Math.Sqrt(3 * law.Variance))}, {NumberText.Short(Math.Sqrt(3 * law.Variance))}), variance {NumberText.Short(law.Variance)}",
        _ => $"{law.Distribution}, variance {NumberText.Short(law.Variance)}",
    };

    /// <summary>"epoch 3" or "epochs 0–2, 5, 7–8".</summary>
    public static string Epochs(IReadOnlyCollection<int> epochs)
    {
        var sorted = epochs.Distinct().Order().ToList();
        var ranges = new List<string>();
        for (int start = 0; start < sorted.Count;)
        {
            int end = start;
            while (end + 1 < sorted.Count && sorted[end + 1] == sorted[end] + 1)
            {
                end++;
            }
            ranges.Add(end == start ? Integer(sorted[start]) : $"{Integer(sorted[start])}–{Integer(sorted[end])}");
            start = end + 1;
        }
        return (sorted.Count == 1 ? "epoch " : "epochs ") + string.Join(", ", ranges);
    }

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
