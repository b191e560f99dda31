using OrleansPigmm.Benchmarks.Harness;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Benchmarks;

/// <summary>
/// The refit of one (layer, epoch) as the aggregator makes it once its accumulator is up to date:
/// the PIGMM fit, the exact predictions of every invariant, the deviations (model and initial
/// law), and W2 to the three references, from an accumulator of <see cref="Samples"/> matrices.
/// Target: under 1 ms whatever n.
/// </summary>
/// <remarks>The accumulator holds the invariants of matrices drawn from the i.i.d. uniform law of
/// an initialised layer (eight distinct draws repeated: the cost of a refit depends on the number
/// of invariants, not on their values).</remarks>
public static class RefitBenchmark
{
    /// <summary>Timing name of the refit with the 52 paper invariants.</summary>
    public const string Paper = "refit 52";

    /// <summary>Timing name of the refit with all 361 graphs of degree up to 4.</summary>
    public const string AllGraphs = "refit 361";

    /// <summary>Matrices in the refit's accumulator, the paper's ensemble size.</summary>
    public const int Samples = 1000;

    /// <summary>The refit target, 1 ms.</summary>
    public const double TargetSeconds = 1e-3;

    /// <summary>One refit of an ensemble of n x n matrices of <paramref name="analyzer"/>'s catalogue, ready to time.</summary>
    public static Action Call(EnsembleAnalyzer analyzer, int n, Random random)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(random);
        var law = IidLaw.UniformInitialisation(n);
        var sampler = new PigmmSampler(new PigmmModel(n, PigmmParameters.Iid(law.Mean, law.Variance, n)));
        var catalogue = analyzer.Catalogue;
        var rows = Enumerable.Range(0, 8).Select(_ =>
        {
            var row = new double[catalogue.Count];
            catalogue.Compute(sampler.Sample(random), n, row);
            return row;
        }).ToArray();
        var ensemble = new InvariantAccumulator(catalogue.Key, catalogue.Count, n);
        for (int r = 0; r < Samples; r++)
        {
            ensemble.Add(rows[r % rows.Length]);
        }
        var reference = analyzer.Analyze(ensemble, law).Model;
        return () =>
        {
            var fit = analyzer.Analyze(ensemble, law);
            EnsembleAnalyzer.Distances(fit.Model, ensemble.Count, law.Variance, reference, reference);
        };
    }

    /// <summary>Measures both refits at every size of <paramref name="sizes"/>: one row per size
    /// with the two timings and their ratios to <see cref="TargetSeconds"/>.</summary>
    public static IReadOnlyList<SizeRow> Run(IReadOnlyList<int> sizes, MeasureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var paper = new EnsembleAnalyzer(InvariantCatalog.Paper(4));
        var allGraphs = new EnsembleAnalyzer(InvariantCatalog.AllGraphs(4));
        return sizes.Select(n =>
        {
            var random = new Random(n);
            var row = new SizeRow(n);
            row.Timings.Add(new(Paper, Measure.PerCall(Call(paper, n, random), options)));
            row.Timings.Add(new(AllGraphs, Measure.PerCall(Call(allGraphs, n, random), options)));
            AddRatios(row);
            return row;
        }).ToArray();
    }

    /// <summary>Adds the ratios of the row's refit timings to <see cref="TargetSeconds"/>.</summary>
    public static void AddRatios(SizeRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        row.Ratios.Add(new($"{Paper} / 1 ms", row[Paper].MedianSeconds / TargetSeconds, 1));
        row.Ratios.Add(new($"{AllGraphs} / 1 ms", row[AllGraphs].MedianSeconds / TargetSeconds, 1));
    }
}
