using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>The page around the figures: head and style, the experiment's summary and spec,
/// how to read the figures, the list of figures, and the check script.</summary>
internal static class HtmlPage
{
    /// <summary>System faces only: the page must not fetch fonts.</summary>
    public const string FontFamily = "system-ui, 'Segoe UI', 'Helvetica Neue', 'DejaVu Sans', Arial, sans-serif";

    private const string MonospaceFamily = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

    private const string Style = $$"""
        body { font-family: {{FontFamily}}; color: #222; background: #fff;
               max-width: 980px; margin: 2rem auto 4rem; padding: 0 1.25rem; line-height: 1.5; }
        h1 { font-size: 1.55rem; margin: 0 0 .2rem; }
        h2 { font-size: 1.25rem; border-bottom: 1px solid #ddd; padding-bottom: .25rem; margin-top: 2.6rem; }
        h3 { font-size: 1rem; margin: 0 0 .4rem; }
        .subtitle { color: #555; margin: 0 0 1.5rem; }
        table { border-collapse: collapse; margin: .4rem 0 1.2rem; font-size: .92rem; }
        th, td { text-align: left; padding: .22rem 1.2rem .22rem 0; border-bottom: 1px solid #eee; vertical-align: top; }
        th { font-weight: 600; color: #444; white-space: nowrap; }
        code { font-family: {{MonospaceFamily}}; font-size: .88em; }
        figure { margin: 1.6rem 0 2.6rem; }
        figure svg { display: block; max-width: 100%; height: auto; }
        figcaption { font-size: .9rem; color: #444; margin-top: .4rem; }
        .notes, .status { font-size: .88rem; color: #4d3d00; background: #fff8e1; border-left: 3px solid #d9a400; padding: .4rem .8rem; }
        .notes { padding-left: 1.8rem; margin: .6rem 0 0; }
        .status.complete { color: #1d4d1d; background: #edf7ed; border-left-color: #3c8c3c; }
        .facts { display: flex; flex-wrap: wrap; gap: 0 3rem; align-items: flex-start; }
        table.spec th { font-family: {{MonospaceFamily}}; font-weight: 400; font-size: .86rem; }
        dt { font-weight: 600; margin-top: .6rem; }
        dd { margin-left: 1.2rem; }
        nav ol { columns: 2; column-gap: 2rem; font-size: .92rem; }
        footer { margin-top: 3rem; font-size: .85rem; color: #666; border-top: 1px solid #ddd; padding-top: .6rem; }
        @media print { figure { break-inside: avoid; } body { margin: 0 auto; } }
        """;

    // Counts the figures whose every panel drew at least one data mark with a finite, non-empty
    // bounding box, so a headless browser can confirm that the SVG rendered as intended.
    private const string CheckScript = """
        addEventListener("load", function () {
          var drawn = 0;
          document.querySelectorAll("figure.plot").forEach(function (figure) {
            var panels = figure.querySelectorAll("g.panel");
            var ok = panels.length > 0;
            panels.forEach(function (panel) {
              ok = ok && Array.prototype.some.call(panel.querySelectorAll(".mark"), function (mark) {
                var box = mark.getBBox();
                return isFinite(box.x + box.y + box.width + box.height) && (box.width > 0 || box.height > 0);
              });
            });
            if (ok) { drawn++; }
          });
          document.body.setAttribute("data-plots-drawn", String(drawn));
        });
        """;

    public static void Write(ExperimentFitsDocument document, IReadOnlyList<LayerHistory> layers, IReadOnlyList<ReportSection> sections, TextWriter output)
    {
        int expected = sections.Sum(section => section.Figures.Count);
        output.Write($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>PIGMM report — {Html.Escape(document.Experiment)}</title>
            <style>
            {Style}
            </style>
            </head>
            <body data-plots-expected="{expected}">
            <header>
            <h1>Permutation-invariant Gaussian matrix models of trained weights</h1>
            <p class="subtitle">Experiment <code>{Html.Escape(document.Experiment)}</code></p>
            </header>

            """);
        WriteSummary(document, layers, output);
        WriteReadingGuide(output);
        WriteContents(sections, output);
        int number = 0;
        foreach (ReportSection section in sections)
        {
            output.Write($"<section id=\"{section.Id}\">\n<h2>{Html.Escape(section.Heading)}</h2>\n");
            foreach (string note in section.Notes)
            {
                output.Write($"<p class=\"status\">{Html.Escape(note)}</p>\n");
            }
            foreach (Figure figure in section.Figures)
            {
                figure.Write(output, ++number);
            }
            output.Write("</section>\n");
        }
        output.Write($"""
            <footer>Fitted and drawn by OrleansPigmm after E. Hirst and S. Ramgoolam, “Approximate Gaussianity Beyond
            Initialisation in Neural Networks”, arXiv:2510.05218. The numbers behind every figure are in fits.json, and
            those of the invariants in fits.csv.</footer>
            <script>
            {CheckScript}
            </script>
            </body>
            </html>

            """);
    }

    private static void WriteSummary(ExperimentFitsDocument document, IReadOnlyList<LayerHistory> layers, TextWriter output)
    {
        var fits = document.Fits;
        int replicas = document.Training.Replicas;
        int diverged = Math.Max(
            document.Training.Epochs.Select(epoch => epoch.Diverged).DefaultIfEmpty(0).Max(),
            fits.Select(fit => fit.Diverged ?? 0).DefaultIfEmpty(0).Max());
        var rows = new List<(string, string)>
        {
            ("Analysed layers", layers.Count == 0 ? "none yet" : string.Join(", ", layers.Select(layer => $"{layer.Name} ({layer.First.N} × {layer.First.N})"))),
            ("Replicas", ReportText.Integer(replicas)),
            ("Epochs fitted", fits.Count == 0 ? "none yet" : EpochSpan(fits)),
            ("Initial law", document.InitialLaw is { } law ? ReportText.Law(law) : "not i.i.d. (no deviations from an initial law, no noise bands)"),
            ("Diverged replicas", diverged == 0 ? "none" : $"{diverged} (left out of the fits and the training curves)"),
            ("Invariant catalogue", fits.Count == 0 ? "none yet" : string.Join(", ", fits.Select(fit => fit.Catalogue).Distinct())),
        };
        output.Write("<section id=\"experiment\">\n<h2>Experiment</h2>\n<div class=\"facts\">\n<div>\n<h3>Summary</h3>\n");
        WriteTable(rows, output, "summary");
        output.Write("</div>\n");
        var spec = Flatten(document.Spec, "").ToList();
        if (spec.Count > 0)
        {
            output.Write("<div>\n<h3>Specification</h3>\n");
            WriteTable(spec, output, "spec");
            output.Write("</div>\n");
        }
        output.Write("</div>\n");

        var unfinished = fits.Where(fit => fit.Samples + (fit.Diverged ?? 0) < replicas).ToList();
        if (unfinished.Count > 0)
        {
            string list = string.Join("; ", unfinished.Select(fit =>
                $"L{fit.Layer ?? 1} epoch {LayerHistory.Epoch(fit)} ({fit.Samples} of {replicas} replicas)"));
            output.Write($"<p class=\"status\">Fits in progress — these use fewer matrices than there are replicas, and their points will still move: {Html.Escape(list)}.</p>\n");
        }
        else if (fits.Count > 0)
        {
            output.Write($"<p class=\"status complete\">Every fit uses all {replicas - diverged} replicas that have not diverged.</p>\n");
        }

        var others = fits.SelectMany(fit => fit.Invariants).Select(invariant => invariant.Id).Where(id => PaperInvariants.NumberOf(id) is null).Distinct().Count();
        if (others > 0)
        {
            output.Write($"<p>The figures show the paper's invariants I1–I52; the {others} other graphs of the catalogue are in fits.csv.</p>\n");
        }
        output.Write("</section>\n");
    }

    private static void WriteReadingGuide(TextWriter output) => output.Write($"""
        <section id="reading">
        <h2>How to read the figures</h2>
        <dl>
        <dt>Model deviation (I14–I52)</dt>
        <dd>{Formulas.ModelDeviation}: the exact expectation of a cubic or quartic invariant under the 13-parameter
        PIGMM fitted to the linear and quadratic ones, against the ensemble mean, in ensemble standard deviations. Small values
        mean the Gaussian model predicts higher-order structure it was not fitted to; 1/√N is the sampling floor. Cubic invariants
        solid, quartic dashed, as in the paper.</dd>
        <dt>Node classes</dt>
        <dd>Graphs with 1–2 vertices (low-node) are sums over few indices, those with 2k−1 or 2k vertices (high-node) products of
        row, column and total sums. Light and dark blue: low- and high-node cubic; light and dark orange: low- and high-node quartic.</dd>
        <dt>Deviation from the initial law (I1–I13)</dt>
        <dd>{Formulas.IidDeviation}: how many standard errors the ensemble mean of a linear (solid) or quadratic
        (dashed) invariant lies from its exact value under the i.i.d. initial law.</dd>
        <dt>Parameters f1–f13</dt>
        <dd>The fitted means and covariances of the model's irreducible blocks V0, VH, V2, V3. The shaded band is the epoch-0 value
        ± 2 standard deviations of initialisation noise: only movement beyond it is a change of the distribution.</dd>
        <dt>Wasserstein distances</dt>
        <dd>W₂² from each fit to the simple Gaussian {Formulas.SimpleGaussian} of the initial variance s² (plotted squared, as in
        the paper), and W₂ to the same layer's epoch-0 fit and to its previous epoch.</dd>
        <dt>Normalised change</dt>
        <dd>{Formulas.NormalisedChange} in [−1, 1]: whether training made each higher-order invariant harder
        (positive) or easier (negative) to predict from the Gaussian fit.</dd>
        </dl>
        <p>Hovering over a line, bar or band names it. Gaps in a line are epochs where the value is undefined; notes under each figure say where.</p>
        </section>

        """);

    private static void WriteContents(IReadOnlyList<ReportSection> sections, TextWriter output)
    {
        output.Write("<nav>\n<h2>Figures</h2>\n<ol>\n");
        foreach (Figure figure in sections.SelectMany(section => section.Figures))
        {
            output.Write($"<li><a href=\"#{figure.Id}\">{Html.Escape(figure.Title)}</a></li>\n");
        }
        output.Write("</ol>\n</nav>\n");
    }

    private static void WriteTable(IEnumerable<(string Name, string Value)> rows, TextWriter output, string cssClass)
    {
        output.Write($"<table class=\"{cssClass}\">\n");
        foreach (var (name, value) in rows)
        {
            output.Write($"<tr><th>{Html.Escape(name)}</th><td>{Html.Escape(value)}</td></tr>\n");
        }
        output.Write("</table>\n");
    }

    private static string EpochSpan(IReadOnlyList<FitDocument> fits)
    {
        int first = fits.Min(LayerHistory.Epoch), last = fits.Max(LayerHistory.Epoch);
        int snapshots = fits.Select(LayerHistory.Epoch).Distinct().Count();
        return first == last ? $"{first} only" : $"{first}–{last} ({snapshots} snapshots per layer)";
    }

    /// <summary>The spec as dotted paths and values; arrays of scalars become one comma-separated value.</summary>
    private static IEnumerable<(string, string)> Flatten(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Undefined:
                yield break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    foreach (var row in Flatten(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}"))
                    {
                        yield return row;
                    }
                }
                yield break;
            case JsonValueKind.Array when element.EnumerateArray().All(item => item.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)):
                yield return (path, string.Join(", ", element.EnumerateArray().Select(Scalar)));
                yield break;
            case JsonValueKind.Array:
                int index = 0;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    foreach (var row in Flatten(item, $"{path}[{index++}]"))
                    {
                        yield return row;
                    }
                }
                yield break;
            default:
                yield return (path.Length == 0 ? "spec" : path, Scalar(element));
                yield break;
        }
    }

    private static string Scalar(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
}
