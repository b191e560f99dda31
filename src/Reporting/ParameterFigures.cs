using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>The 13 fitted parameters against epoch (pigmm-math.md section 4), one small panel
/// each, grouped by the block of the model they belong to, with the band inside which a change
/// from epoch 0 is initialisation noise (section 11).</summary>
internal static class ParameterFigures
{
    private const double NoiseBandWidth = 2;

    private sealed record Parameter(int Index, string Title, string YTitle);

    private sealed record Block(string Heading, IReadOnlyList<Parameter> Parameters);

    private static readonly IReadOnlyList<Block> Blocks =
    [
        new("Means of the two V0 coordinates", [new(0, "f1 = E[x₁]", "mean (weight)"), new(1, "f2 = E[x₂]", "mean (weight)")]),
        new("V0 covariance L0 = Λ_V0⁻¹ = [[f3, f4], [f4, f5]]",
            [new(2, "f3 = L0₁₁", "variance (weight²)"), new(3, "f4 = L0₁₂", "covariance (weight²)"), new(4, "f5 = L0₂₂", "variance (weight²)")]),
        new("VH covariance LH = Λ_VH⁻¹ = [[f6, f7, f8], [f7, f9, f10], [f8, f10, f11]]",
        [
            new(5, "f6 = LH₁₁", "variance (weight²)"), new(6, "f7 = LH₁₂", "covariance (weight²)"), new(7, "f8 = LH₁₃", "covariance (weight²)"),
            new(8, "f9 = LH₂₂", "variance (weight²)"), new(9, "f10 = LH₂₃", "covariance (weight²)"), new(10, "f11 = LH₃₃", "variance (weight²)"),
        ]),
        new("V2 and V3 variances", [new(11, "f12 = Λ_V2⁻¹", "variance (weight²)"), new(12, "f13 = Λ_V3⁻¹", "variance (weight²)")]),
    ];

    /// <summary>The parameter figure of one layer; null when no fit has parameters.</summary>
    public static Figure? Parameters(LayerHistory layer, InitialLaw? law)
    {
        var notes = new List<string>();
        FitDocument? epochZero = layer.Fits.FirstOrDefault(fit => LayerHistory.Epoch(fit) == 0);
        double[]? noise = ParameterNoise(epochZero, law, notes);
        var groups = Blocks.Select(block => new PanelGroup(block.Heading,
            [.. block.Parameters.Select(parameter => Panel(layer, parameter, epochZero, noise))])).ToList();
        bool banded = noise is not null;
        var figure = new Figure
        {
            Id = $"parameters-{layer.Name}",
            Title = $"{layer.Name}: the 13 fitted parameters",
            CaptionHtml = "The 13 parameters of the PIGMM fitted at each epoch, each on its own scale: the means f1, f2 of the two "
                + "V0 coordinates, and the covariances of the irreducible blocks V0 (L0), VH (LH), V2 and V3. "
                + (banded
                    ? $"The shaded band is the epoch-0 value ± {NoiseBandWidth} standard deviations of the scatter of the fit "
                      + $"between independent ensembles of {layer.First.Samples} matrices with i.i.d. entries of the initial "
                      + "variance (the Gaussian formula, also used for a uniform law of the same variance): movement inside it "
                      + "is indistinguishable from initialisation noise."
                    : "No noise band is drawn (see the note)."),
            Legend = banded ? [new LegendItem($"epoch-0 value ± {NoiseBandWidth} s.d. of initialisation noise", Palette.Single, LegendMark.Shade)] : [],
            Groups = groups,
            Columns = 3,
            PanelWidth = 320,
            PanelHeight = 200,
            Notes = notes,
        };
        return figure.HasData ? figure : null;
    }

    private static LinePanel Panel(LayerHistory layer, Parameter parameter, FitDocument? epochZero, double[]? noise)
    {
        double? Value(FitDocument fit) => parameter.Index < fit.Params.Count ? fit.Params[parameter.Index] : null;
        double? start = epochZero is null ? null : Value(epochZero);
        return new LinePanel
        {
            Title = parameter.Title,
            YTitle = parameter.YTitle,
            Series = [new LineSeries($"f{parameter.Index + 1}", Palette.Single, Stroke.Solid, layer.Points(Value), parameter.Title)],
            LevelBands = start is double origin && noise is not null
                ? [new LevelBand(origin - NoiseBandWidth * noise[parameter.Index], origin + NoiseBandWidth * noise[parameter.Index], Palette.Single,
                    $"{parameter.Title} at epoch 0: {NumberText.Short(origin)} ± {NumberText.Short(NoiseBandWidth * noise[parameter.Index])}")]
                : [],
            YOptions = new AxisOptions(AllowLog: false),
        };
    }

    /// <summary>Standard deviations of f1..f13 at initialisation, or null (with a note saying
    /// why) when the initial law or the epoch-0 ensemble does not determine them.</summary>
    private static double[]? ParameterNoise(FitDocument? epochZero, InitialLaw? law, List<string> notes)
    {
        if (law is null)
        {
            notes.Add("No noise band: the initial entries are not i.i.d., so the scatter of the parameters at initialisation is not known.");
            return null;
        }
        if (epochZero is null || epochZero.N < 4 || epochZero.Samples < 2 || !(law.Variance > 0) || !double.IsFinite(law.Variance))
        {
            notes.Add("No noise band: it needs an epoch-0 fit of at least 2 matrices of size n ≥ 4 and a positive, finite initial variance.");
            return null;
        }
        return InitialisationNoise.StandardDeviations(epochZero.N, epochZero.Samples, law.Variance);
    }
}
