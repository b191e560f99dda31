namespace OrleansPigmm.Reporting;

/// <summary>The measures of pigmm-math.md section 10 as HTML, written once for the reading
/// guide and the captions alike.</summary>
internal static class Formulas
{
    public const string ModelDeviation =
        "Dev<sub>k</sub> = |E<sub>fit</sub>[I<sub>k</sub>] − mean<sub>k</sub>| / std<sub>k</sub>";

    public const string IidDeviation =
        "|mean<sub>k</sub> − E<sub>iid</sub>[I<sub>k</sub>]| / √(Var<sub>iid</sub>[I<sub>k</sub>] / N)";

    public const string NormalisedChange =
        "(Dev<sub>end</sub> − Dev<sub>start</sub>) / (Dev<sub>end</sub> + Dev<sub>start</sub>)";

    public const string SimpleGaussian =
        "f = (0, 0, (1−1/N)s², 0, (1−1/N)s², s², 0, 0, s², 0, s², s², s²)";
}
