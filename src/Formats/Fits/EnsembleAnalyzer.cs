using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Formats.Fits;

/// <summary>A fitted ensemble: the PIGMM and the document that describes it.</summary>
public sealed record EnsembleFit(PigmmModel Model, FitDocument Document);

/// <summary>
/// Turns an ensemble's sufficient statistics into its fit document: the PIGMM fit (pigmm-math.md
/// section 6.1), the exact prediction of every invariant of the catalogue under it (section 7),
/// and the deviation measures (section 10). Expectation plans are compiled once per analyzer, so
/// one analyzer serves every (layer, epoch) of an experiment.
/// </summary>
public sealed class EnsembleAnalyzer
{
    private readonly ExpectationPlan plan;

    // The last initial-law reference used: every (layer, epoch) of an experiment shares one law,
    // and computing its exact moments costs far more than the rest of a refit.
    private volatile InitialLawReference? lastReference;

    /// <summary>An analyzer for ensembles whose invariant rows follow <paramref name="catalogue"/>.</summary>
    public EnsembleAnalyzer(InvariantCatalog catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        Catalogue = catalogue;
        plan = ExpectationPlan.Compile(catalogue.Entries.Select(entry => entry.Graph));
    }

    /// <summary>The invariants reported, in order.</summary>
    public InvariantCatalog Catalogue { get; }

    /// <summary>
    /// Fits the ensemble and describes every invariant: mean, population std, prediction,
    /// model deviation |prediction - mean| / std (null when std is 0), and, when
    /// <paramref name="initialLaw"/> is given, the deviation of I1..I13 from that i.i.d. law.
    /// </summary>
    /// <exception cref="InvalidModelException">The fitted covariance blocks are not positive semidefinite.</exception>
    /// <exception cref="ArgumentException">The accumulator was built for another catalogue, or holds fewer than 2 matrices.</exception>
    public EnsembleFit Analyze(InvariantAccumulator ensemble, IidLaw? initialLaw = null, StandardErrorConvention convention = StandardErrorConvention.Exact)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        if (ensemble.CatalogueKey != Catalogue.Key)
        {
            throw new ArgumentException($"The ensemble's invariants follow catalogue '{ensemble.CatalogueKey}', not '{Catalogue.Key}'.", nameof(ensemble));
        }
        if (ensemble.Count < 2)
        {
            throw new ArgumentException($"A fit needs at least 2 matrices; the ensemble has {ensemble.Count}.", nameof(ensemble));
        }
        var model = PigmmFit.FromStatistics(ensemble.ToQuadraticStatistics());
        var predictions = plan.Evaluate(model);
        var means = ensemble.Means();
        var stds = ensemble.PopulationStds();
        var deviations = DeviationMeasures.ModelDeviations(predictions, means, stds);
        var lawDeviations = initialLaw is null ? null : Reference(ensemble.MatrixSize, initialLaw, convention).Deviations(ensemble);
        var invariants = Catalogue.Entries.Select((entry, k) => new InvariantFit(
            entry.Id,
            entry.Spec,
            entry.Degree,
            entry.Graph.VertexCount,
            means[k],
            stds[k],
            predictions[k],
            deviations[k],
            lawDeviations is not null && k < lawDeviations.Length ? lawDeviations[k] : null)).ToArray();
        var document = new FitDocument(model.N, ensemble.Count, model.Parameters.ToArray(), invariants, Catalogue.Key);
        return new EnsembleFit(model, document);
    }

    private InitialLawReference Reference(int n, IidLaw law, StandardErrorConvention convention)
    {
        var reference = lastReference;
        if (reference is null || !reference.Describes(n, law, convention))
        {
            reference = InitialLawReference.Of(n, law, convention);
            lastReference = reference;
        }
        return reference;
    }

    /// <summary>
    /// W2 and W2^2 (section 9) from <paramref name="fit"/> to the simple-Gaussian reference of
    /// <paramref name="initialVariance"/> with the fit's sample count (when the variance is known),
    /// to the fit of epoch 0 and to the fit of the previous epoch (when given).
    /// </summary>
    public static (WassersteinDistances W2, WassersteinDistances W2Squared) Distances(
        PigmmModel fit, long samples, double? initialVariance, PigmmModel? epoch0, PigmmModel? previous)
    {
        ArgumentNullException.ThrowIfNull(fit);
        var reference = initialVariance is { } variance && samples >= 1
            ? new PigmmModel(fit.N, PigmmParameters.SimpleGaussianReference(variance, samples))
            : null;
        double? Squared(PigmmModel? other) => other is null ? null : Wasserstein.SquaredDistance(fit, other);
        double? Root(double? squared) => squared is { } s ? Math.Sqrt(Math.Max(s, 0)) : null;
        var squared = new WassersteinDistances(Squared(reference), Squared(epoch0), Squared(previous));
        return (new WassersteinDistances(Root(squared.SimpleGaussian), Root(squared.Epoch0), Root(squared.Previous)), squared);
    }
}
