using System.Globalization;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Client.Display;

/// <summary>What the monitor shows of an experiment at one moment: its progress, the rate
/// observed since the monitor started, and the latest fit of every layer.</summary>
internal sealed record MonitorState(
    string ExperimentId,
    ExperimentProgress Progress,
    double? ReplicaEpochsPerSecond,
    EpochTraining? LatestTraining,
    IReadOnlyList<FitDocument> LatestFits)
{
    /// <summary>Time left at the observed rate; null while no rate is known.</summary>
    public TimeSpan? EstimatedTimeLeft =>
        Progress.IsComplete ? TimeSpan.Zero
        : ReplicaEpochsPerSecond is > 0 and var rate ? TimeSpan.FromSeconds((Progress.ReplicaEpochsTotal - Progress.ReplicaEpochsDone) / rate)
        : null;

    /// <summary>The latest fit of each layer, by layer.</summary>
    public static IReadOnlyList<FitDocument> LatestPerLayer(ExperimentFitsDocument document) =>
        document.Fits.GroupBy(fit => fit.Layer).OrderBy(layer => layer.Key).Select(layer => layer.MaxBy(fit => fit.Epoch)!).ToList();

    /// <summary>The largest defined |deviation| of the invariants of <paramref name="degree"/>, or null.</summary>
    public static double? MaxDeviation(FitDocument fit, int degree) =>
        fit.Invariants.Where(invariant => invariant.Degree == degree && invariant.Deviation is not null)
            .Select(invariant => Math.Abs(invariant.Deviation!.Value))
            .DefaultIfEmpty(double.NaN).Max() is var max && double.IsNaN(max) ? null : max;

    /// <summary>The progress line: replica-epochs done of total, rate, time left, accuracy.</summary>
    public string ProgressLine()
    {
        var rate = ReplicaEpochsPerSecond is { } r ? $"{Number(r)} replica-epochs/s" : "rate unknown";
        var left = EstimatedTimeLeft is { } t ? $"ETA {Duration(t)}" : "ETA unknown";
        var accuracy = LatestTraining?.MeanTestAccuracy is { } a
            ? $"mean test accuracy {Percent(a, "F2")} (epoch {LatestTraining.Epoch})"
            : "no test accuracy yet";
        return $"{Progress.ReplicaEpochsDone:N0}/{Progress.ReplicaEpochsTotal:N0} replica-epochs ({Percent(Progress.Fraction, "F1")}), {rate}, {left}, {accuracy}";
    }

    /// <summary>The columns of the per-layer fit table.</summary>
    public static IReadOnlyList<string> FitColumns { get; } =
        ["layer", "epoch", "samples", "f1", "f3", "f12", "f13", "W2² simple", "max|dev| d3", "max|dev| d4"];

    /// <summary>What the shortened column names mean.</summary>
    public const string FitLegend = "W2² simple: squared 2-Wasserstein distance to the simple Gaussian of the initial law; "
        + "max|dev| d3, d4: largest |predicted - mean| / std of the cubic and quartic invariants.";

    /// <summary>One row of cells per layer, in <see cref="FitColumns"/> order.</summary>
    public IEnumerable<string[]> FitRows() => LatestFits.Select(fit => new[]
    {
        Integer(fit.Layer), Integer(fit.Epoch), Integer(fit.Samples),
        Number(fit.Params[0]), Number(fit.Params[2]), Number(fit.Params[11]), Number(fit.Params[12]),
        Number(fit.W2Squared?.SimpleGaussian), Number(MaxDeviation(fit, 3)), Number(MaxDeviation(fit, 4)),
    });

    // "12.5%": the invariant culture would write "12.5 %".
    private static string Percent(double fraction, string format) => (100 * fraction).ToString(format, CultureInfo.InvariantCulture) + "%";

    private static string Integer(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";

    private static string Number(double? value) => value?.ToString("G4", CultureInfo.InvariantCulture) ?? "-";

    private static string Duration(TimeSpan time) =>
        time.TotalDays >= 1 ? $"{(int)time.TotalDays}d {time:hh\\:mm\\:ss}" : time.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
