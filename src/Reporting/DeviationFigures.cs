using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>The deviation figures of pigmm-math.md section 10: the model deviation of I14..I52
/// (the paper's figure 4.3), the deviation of I1..I13 from the initial i.i.d. law (figure 4.1) and
/// the normalised change of the model deviation over training (figure 4.2).</summary>
internal static class DeviationFigures
{
    /// <summary>How many of the 39 lines of a model-deviation panel are named at their end.</summary>
    private const int NamedLines = 5;

    /// <summary>The figure of each layer, in the order of <paramref name="layers"/>, null for a
    /// layer without data; all share one vertical axis, as in the paper.</summary>
    public static IReadOnlyList<Figure?> ModelDeviations(IReadOnlyList<LayerHistory> layers)
    {
        var panels = layers.Select(ModelDeviationPanel).ToList();
        if (panels.Count == 0)
        {
            return [];
        }
        Axis shared = Axis.Fit(panels.SelectMany(panel => panel.Values()), panels[0].YOptions);
        return [.. layers.Zip(panels).Select(pair => !pair.Second.HasData ? null : new Figure
        {
            Id = $"model-deviation-{pair.First.Name}",
            Title = $"{pair.First.Name}: cubic and quartic invariants against the fitted PIGMM",
            CaptionHtml = $"{Formulas.ModelDeviation} for I14–I52: how far the exact prediction of the 13-parameter "
                + "PIGMM fitted to I1–I13 lies from the ensemble mean, in ensemble standard deviations. Cubic invariants are "
                + "drawn solid and quartic ones dashed, coloured by node class; the dotted line is 1/√N, the size sampling alone "
                + $"gives a truly Gaussian ensemble of N matrices. All layers share this vertical axis. The {NamedLines} largest at "
                + "the last epoch are named; hovering over a line names it.",
            Legend = [.. CubicQuarticClasses.Legend(asLines: true), new LegendItem("1/√N", Palette.Reference, LegendMark.DottedLine)],
            Groups = [new PanelGroup(null, [pair.Second with { Y = shared }])],
            PanelHeight = 430,
            Notes = UndefinedNote(pair.First, HigherDegreeInvariants(pair.First), invariant => invariant.Deviation, "Undefined deviations (zero ensemble standard deviation)"),
        })];
    }

    /// <summary>The figure for one layer, or null when no fit carries a deviation from the law.</summary>
    public static Figure? IidDeviations(LayerHistory layer, InitialLaw law)
    {
        var invariants = layer.InvariantsNumbered(1, PaperInvariants.CountUpToDegree(2));
        var panel = new LinePanel
        {
            Title = $"{layer.Name}: linear (solid) and quadratic (dashed) invariants against the initial i.i.d. law",
            YTitle = "deviation (standard errors)",
            Series = [.. invariants.Select(invariant => new LineSeries(
                invariant.Id,
                Palette.LowDegreeInvariants[(PaperInvariants.NumberOf(invariant.Id)!.Value - 1) % Palette.LowDegreeInvariants.Count],
                invariant.Degree == 1 ? Stroke.Solid : Stroke.Dashed,
                layer.Points(invariant.Id, fit => fit.IidDeviation),
                CubicQuarticClasses.Describe(invariant)))],
            References = [new ReferenceLevel(1, "1 standard error")],
            EndLabels = PaperInvariants.CountUpToDegree(2),
        };
        if (!panel.HasData)
        {
            return null;
        }
        return new Figure
        {
            Id = $"iid-deviation-{layer.Name}",
            Title = $"{layer.Name}: linear and quadratic invariants against the initial law",
            CaptionHtml = $"{Formulas.IidDeviation} for I1–I13, with the exact moments of the initial law "
                + $"{Html.Escape(ReportText.Law(law))}: the distance of the ensemble mean from its value under i.i.d. entries, in standard "
                + "errors. Linear invariants solid, quadratic dashed. Values of order 1 (dotted line) are what the initial law "
                + "itself gives; growth measures how far training has moved the ensemble from i.i.d. entries.",
            Legend = [.. panel.Series.Zip(invariants).Select(pair => LegendItem.Line($"{pair.First.Label} {pair.Second.Spec}", pair.First.Colour, pair.First.Stroke))],
            Groups = [new PanelGroup(null, [panel])],
            PanelHeight = 430,
            Notes = UndefinedNote(layer, invariants, invariant => invariant.IidDeviation, "Missing deviations from the initial law"),
        };
    }

    /// <summary>Bars of (Dev_end - Dev_start) / (Dev_end + Dev_start) per invariant, one panel
    /// per layer that has more than one epoch; null when no layer has.</summary>
    public static Figure? NormalisedChange(IReadOnlyList<LayerHistory> layers)
    {
        var trained = layers.Where(layer => layer.Fits.Count > 1).ToList();
        if (trained.Count == 0)
        {
            return null;
        }
        var undefined = new List<string>();
        var panels = new List<IPanel>();
        foreach (LayerHistory layer in trained)
        {
            var bars = HigherDegreeInvariants(layer).Select(invariant => ChangeBar(layer, invariant)).ToList();
            panels.Add(new BarPanel
            {
                Title = $"{layer.Name}: epoch {LayerHistory.Epoch(layer.Last)} against epoch {LayerHistory.Epoch(layer.First)}",
                YTitle = "normalised change",
                Y = LinearAxis.Nice(-1, 1, 4),
                Bars = bars,
            });
            var missing = bars.Where(bar => bar.Value is null).Select(bar => bar.Category).ToList();
            if (missing.Count > 0)
            {
                undefined.Add($"{layer.Name}: {string.Join(", ", missing)}");
            }
        }
        return new Figure
        {
            Id = "normalised-change",
            Title = "Change of the model deviations between the start and the end of training",
            CaptionHtml = $"{Formulas.NormalisedChange} for each cubic and quartic invariant, between the first and "
                + "the last epoch fitted: +1 means the fitted PIGMM predicts the invariant far worse at the end than at the start, "
                + "−1 far better, 0 equally well. Bars are coloured by node class, as in the paper's figure 4.2; hovering over a "
                + "bar gives both deviations.",
            Legend = CubicQuarticClasses.Legend(asLines: false),
            Groups = [new PanelGroup(null, panels)],
            PanelHeight = 250,
            Notes = undefined.Count == 0 ? [] :
                [$"Hollow circles mark invariants without a bar (a deviation is undefined or not finite, or both are 0): {string.Join("; ", undefined)}."],
        };
    }

    /// <summary>The paper's I14..I52 that fall into one of its node classes.</summary>
    private static List<InvariantFit> HigherDegreeInvariants(LayerHistory layer) =>
        [.. layer.InvariantsNumbered(PaperInvariants.CountUpToDegree(2) + 1, PaperInvariants.Count).Where(invariant => CubicQuarticClasses.Of(invariant) is not null)];

    private static LinePanel ModelDeviationPanel(LayerHistory layer)
    {
        long samples = layer.First.Samples;
        return new LinePanel
        {
            Title = $"{layer.Name}: deviation of I14–I52 from the fitted model",
            YTitle = "deviation (ensemble s.d.)",
            Series = [.. HigherDegreeInvariants(layer).Select(invariant =>
            {
                CubicQuarticClass nodeClass = CubicQuarticClasses.Of(invariant)!.Value;
                return new LineSeries(invariant.Id, CubicQuarticClasses.Colour(nodeClass), CubicQuarticClasses.Stroke(nodeClass),
                    layer.Points(invariant.Id, fit => fit.Deviation), CubicQuarticClasses.Describe(invariant));
            })],
            References = samples > 0 ? [new ReferenceLevel(1 / Math.Sqrt(samples), $"1/√N, N = {samples}")] : [],
            YOptions = new AxisOptions(IncludeZero: true),
            EndLabels = NamedLines,
        };
    }

    private static Bar ChangeBar(LayerHistory layer, InvariantFit invariant)
    {
        double? start = layer.Invariant(0, invariant.Id)?.Deviation;
        double? end = layer.Invariant(layer.Fits.Count - 1, invariant.Id)?.Deviation;
        double? change = start is double before && end is double after && double.IsFinite(before + after) && before + after > 0
            ? (after - before) / (after + before)
            : null;
        string tooltip = $"{CubicQuarticClasses.Describe(invariant)}: deviation {Optional(start)} → {Optional(end)}, normalised change {Optional(change)}";
        return new Bar(invariant.Id, change, CubicQuarticClasses.Colour(CubicQuarticClasses.Of(invariant)!.Value), tooltip);
    }

    private static string Optional(double? value) => value switch
    {
        null => "undefined",
        double known when double.IsFinite(known) => NumberText.Short(known),
        _ => "not finite",
    };

    /// <summary>"{what} leave gaps: I14 at epochs 0–2; I22 at epoch 5.", or nothing.</summary>
    private static IReadOnlyList<string> UndefinedNote(LayerHistory layer, IEnumerable<InvariantFit> invariants, Func<InvariantFit, double?> value, string what)
    {
        var gaps = invariants
            .Select(invariant => (invariant.Id, epochs: layer.Points(invariant.Id, value).Where(point => point.Y is null).Select(point => point.X).ToList()))
            .Where(entry => entry.epochs.Count > 0)
            .Select(entry => $"{entry.Id} at {ReportText.Epochs(entry.epochs)}")
            .ToList();
        return gaps.Count == 0 ? [] : [$"{what} leave gaps in the lines: {string.Join("; ", gaps)}."];
    }
}
