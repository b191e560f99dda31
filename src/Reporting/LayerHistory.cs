using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>The fits of one analysed layer in epoch order, with look-ups by invariant id.</summary>
internal sealed class LayerHistory
{
    private readonly IReadOnlyList<Dictionary<string, InvariantFit>> invariantsByEpoch;

    private LayerHistory(int layer, IReadOnlyList<FitDocument> fits)
    {
        Layer = layer;
        Fits = fits;
        invariantsByEpoch = [.. fits.Select(fit => fit.Invariants.GroupBy(invariant => invariant.Id).ToDictionary(group => group.Key, group => group.First()))];
    }

    /// <summary>1-based layer index, as in fits.json.</summary>
    public int Layer { get; }

    /// <summary>"L1", "L2", ...: the paper's names of the analysed matrices.</summary>
    public string Name => $"L{Layer}";

    public IReadOnlyList<FitDocument> Fits { get; }

    public FitDocument First => Fits[0];

    public FitDocument Last => Fits[^1];

    /// <summary>The layers of a document, in layer order; a fit without a layer counts as layer 1.</summary>
    public static IReadOnlyList<LayerHistory> Of(ExperimentFitsDocument document) =>
        [.. document.Fits
            .GroupBy(fit => fit.Layer ?? 1)
            .OrderBy(group => group.Key)
            .Select(group => new LayerHistory(group.Key, [.. group.OrderBy(Epoch)]))];

    public static int Epoch(FitDocument fit) => fit.Epoch ?? 0;

    /// <summary>A quantity of each fit against its epoch.</summary>
    public IReadOnlyList<DataPoint> Points(Func<FitDocument, double?> value) =>
        [.. Fits.Select(fit => new DataPoint(Epoch(fit), value(fit)))];

    /// <summary>A quantity of one invariant against epoch; null where the fit lacks it.</summary>
    public IReadOnlyList<DataPoint> Points(string id, Func<InvariantFit, double?> value) =>
        [.. Fits.Select((fit, i) => new DataPoint(Epoch(fit), Invariant(i, id) is { } invariant ? value(invariant) : null))];

    /// <summary>The invariant with this id in the fit at position <paramref name="index"/> of <see cref="Fits"/>.</summary>
    public InvariantFit? Invariant(int index, string id) => invariantsByEpoch[index].GetValueOrDefault(id);

    /// <summary>The paper's invariants Ik with k in the given range that any fit of the layer
    /// carries, in order of k, as they appear in the first fit that has each.</summary>
    public IReadOnlyList<InvariantFit> InvariantsNumbered(int first, int last) =>
        [.. Enumerable.Range(first, last - first + 1)
            .Select(k => invariantsByEpoch.Select(invariants => invariants.GetValueOrDefault(PaperInvariants.Id(k))).FirstOrDefault(found => found is not null))
            .OfType<InvariantFit>()];
}
