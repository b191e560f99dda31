using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>
/// report.html: one self-contained page (inline CSS, inline SVG figures, a few lines of inline
/// script, nothing fetched from elsewhere) that presents an experiment's fits.json the way
/// Hirst and Ramgoolam (arXiv:2510.05218) present theirs: model deviations of the cubic and
/// quartic invariants, deviations of the linear and quadratic invariants from the initial
/// law, the 13 parameters against their initialisation noise, Wasserstein distances, the
/// normalised change over training, and the training curves.
/// </summary>
public static class HtmlReport
{
    /// <summary>
    /// Writes the report of <paramref name="document"/> to <paramref name="output"/> as UTF-8
    /// HTML text. The output depends only on the document: the same document gives the same
    /// characters (no clock, culture or environment is read).
    /// </summary>
    /// <remarks>
    /// Incomplete data are shown, not hidden: undefined deviations (null) are gaps in their
    /// lines, values that cannot be drawn (not finite, beyond ±1e300, or not positive on a log
    /// axis) are left out, a figure that has nothing to draw is replaced by a sentence saying
    /// why, and fits made from fewer matrices than there are replicas are listed as in progress;
    /// each of these is stated in a note. The page's script records in the body's
    /// <c>data-plots-drawn</c> attribute how many of the <c>data-plots-expected</c> figures
    /// drew visible marks, for automated checks in a browser.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Write(ExperimentFitsDocument document, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        var layers = LayerHistory.Of(document);
        var sections = new List<ReportSection> { Overview(document, layers) };
        sections.AddRange(layers.Zip(DeviationFigures.ModelDeviations(layers), (layer, modelDeviation) => LayerSection(layer, document.InitialLaw, modelDeviation)));
        HtmlPage.Write(document, layers, sections, output);
    }

    private static ReportSection Overview(ExperimentFitsDocument document, IReadOnlyList<LayerHistory> layers)
    {
        var section = new ReportSection("all-layers", "All layers");
        section.Add(OverviewFigures.Training(document.Training), "No training curves: no epoch has completed yet.");
        section.Add(OverviewFigures.Wasserstein(layers), "No Wasserstein distances: the fits carry none yet.");
        section.Add(DeviationFigures.NormalisedChange(layers), "No normalised change: it compares the first and the last epoch fitted, and there are not two yet.");
        return section;
    }

    private static ReportSection LayerSection(LayerHistory layer, InitialLaw? law, Figure? modelDeviation)
    {
        var section = new ReportSection($"layer-{layer.Name}", $"Layer {layer.Name} ({layer.First.N} × {layer.First.N})");
        section.Add(modelDeviation, $"No model deviations for {layer.Name}: the fits carry no defined deviation of I14–I52.");
        if (law is null)
        {
            section.Notes.Add("No deviations from the initial law: the initial entries are not i.i.d., so there is no law to compare I1–I13 with.");
        }
        else
        {
            section.Add(DeviationFigures.IidDeviations(layer, law), $"No deviations from the initial law for {layer.Name}: the fits carry none.");
        }
        section.Add(ParameterFigures.Parameters(layer, law), $"No parameters for {layer.Name}: the fits carry none.");
        return section;
    }
}
