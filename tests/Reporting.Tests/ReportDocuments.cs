using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Formats.Tests.Fits;

namespace OrleansPigmm.Reporting.Tests;

/// <summary>The documents the report is tested on: a complete experiment and the awkward cases.</summary>
internal static class ReportDocuments
{
    /// <summary>The names of the documents below, for theories over all of them.</summary>
    public static TheoryData<string> Names => [nameof(Complete), nameof(SingleEpoch), nameof(InProgressWithoutLaw), nameof(Extreme)];

    public static ExperimentFitsDocument Named(string name) => name switch
    {
        nameof(Complete) => Complete(),
        nameof(SingleEpoch) => SingleEpoch(),
        nameof(InProgressWithoutLaw) => InProgressWithoutLaw(),
        nameof(Extreme) => Extreme(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No test document has this name."),
    };

    /// <summary>3 layers x 11 epochs, all 52 invariants, a Gaussian initial law.</summary>
    public static ExperimentFitsDocument Complete() => SyntheticFits.Document();

    /// <summary>Only the initialisation has been fitted; no epoch has been trained.</summary>
    public static ExperimentFitsDocument SingleEpoch() => SyntheticFits.Document(lastEpoch: 0);

    /// <summary>No i.i.d. initial law; layer 2's last fit is still collecting matrices.</summary>
    public static ExperimentFitsDocument InProgressWithoutLaw()
    {
        var document = SyntheticFits.Document(lawKnown: false);
        return document with
        {
            Fits = [.. document.Fits.Select(fit => fit is { Layer: 2, Epoch: 10 } ? fit with { Samples = 640 } : fit)],
            Training = document.Training with
            {
                Epochs = [.. document.Training.Epochs.Select(epoch => epoch.Epoch == 10 ? epoch with { Completed = 640 } : epoch)],
            },
        };
    }

    /// <summary>Values no plot can place: infinities, NaN, 1e300 and beyond, 1e-300, zeros on
    /// log axes, huge parameters and distances.</summary>
    public static ExperimentFitsDocument Extreme()
    {
        var document = SyntheticFits.Document()
            .WithInvariant(1, "I22", invariant => invariant with { Deviation = 1e300 })
            .WithInvariant(1, "I23", invariant => invariant with { Deviation = double.PositiveInfinity })
            .WithInvariant(1, "I24", invariant => invariant with { Deviation = double.NaN })
            .WithInvariant(2, "I29", invariant => invariant with { Deviation = 1e-300 })
            .WithInvariant(2, "I30", invariant => invariant with { Deviation = 0 })
            .WithInvariant(3, "I31", invariant => invariant with { Deviation = double.MaxValue })
            .WithInvariant(3, "I5", invariant => invariant with { IidDeviation = double.NegativeInfinity });
        return document with
        {
            Fits = [.. document.Fits.Select(fit => fit.Layer != 3 ? fit : fit with
            {
                Params = [.. fit.Params.Select((value, i) => i switch { 0 => 1e308, 1 => -double.MaxValue, 2 => double.NaN, _ => value })],
                W2Squared = fit.W2Squared! with { SimpleGaussian = double.PositiveInfinity },
            })],
            Training = document.Training with
            {
                Epochs = [.. document.Training.Epochs.Select(epoch => epoch with { MeanTrainLoss = epoch.Epoch == 3 ? double.NaN : epoch.MeanTrainLoss })],
            },
        };
    }

    public static string Render(ExperimentFitsDocument document)
    {
        var output = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        HtmlReport.Write(document, output);
        return output.ToString();
    }
}
