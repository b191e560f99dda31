using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// The band around each layer's epoch-0 parameters inside which later movement is
/// initialisation noise, as the report draws it: the epoch-0 value ± <see cref="Width"/>
/// standard deviations of the parameters' scatter between ensembles of i.i.d. matrices of the
/// initial variance. The dashboard draws it without repeating the formula in the browser.
/// </summary>
/// <param name="Width">The band's half-width in standard deviations.</param>
/// <param name="Layers">One band per layer with an epoch-0 fit that determines it.</param>
/// <param name="Note">Why there is no band, when the initial law does not give one.</param>
public sealed record ParameterBands(double Width, IReadOnlyList<LayerBand> Layers, string? Note)
{
    /// <summary>Standard deviations on either side of the epoch-0 value, as in the report.</summary>
    public const double BandWidth = 2;

    /// <summary>The bands of <paramref name="document"/>'s epoch-0 fits.</summary>
    public static ParameterBands Of(ExperimentFitsDocument document)
    {
        if (document.InitialLaw is not { } law)
        {
            return new ParameterBands(BandWidth, [], "The initial entries are not i.i.d., so the scatter of the parameters at initialisation is not known.");
        }
        var layers = document.Fits
            .Where(fit => (fit.Epoch ?? 0) == 0 && fit.N >= 4 && fit.Samples >= 2 && law.Variance > 0 && double.IsFinite(law.Variance))
            .Select(fit => new LayerBand(fit.Layer ?? 1, fit.Samples, fit.Params,
                [.. InitialisationNoise.StandardDeviations(fit.N, fit.Samples, law.Variance).Select(sd => BandWidth * sd)]))
            .ToList();
        return new ParameterBands(BandWidth, layers, layers.Count > 0 ? null : "The band needs an epoch-0 fit of at least 2 matrices of size n ≥ 4.");
    }
}

/// <summary>The band of one layer.</summary>
/// <param name="Layer">1-based layer, as in fits.json.</param>
/// <param name="Samples">Matrices of the epoch-0 fit.</param>
/// <param name="Centre">f1..f13 at epoch 0.</param>
/// <param name="HalfWidth">The band's half-width for each of f1..f13.</param>
public sealed record LayerBand(int Layer, long Samples, IReadOnlyList<double> Centre, IReadOnlyList<double> HalfWidth);
