using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Formats.Tests.Fits;

public class EnsembleAnalyzerTests
{
    private const int Size = 6;
    private static readonly InvariantCatalog Catalogue = InvariantCatalog.Paper(4);

    [Fact]
    public void The_fit_reproduces_the_quadratic_means_and_predicts_every_invariant()
    {
        var ensemble = Sample(IidLaw.GaussianInitialisation(Size), matrices: 400, seed: 1);

        var fit = new EnsembleAnalyzer(Catalogue).Analyze(ensemble, IidLaw.GaussianInitialisation(Size)).Document;

        Assert.Equal((Size, 400L, "paper-d4"), (fit.N, fit.Samples, fit.Catalogue));
        Assert.Equal(52, fit.Invariants.Count);
        var means = ensemble.Means();
        var stds = ensemble.PopulationStds();
        for (int k = 0; k < 52; k++)
        {
            var invariant = fit.Invariants[k];
            Assert.Equal(($"I{k + 1}", Catalogue.Entries[k].Spec, means[k], stds[k]), (invariant.Id, invariant.Spec, invariant.Mean, invariant.Std));
            Assert.Equal(Math.Abs(invariant.Predicted - invariant.Mean) / invariant.Std, invariant.Deviation!.Value, 12);
            Assert.Equal(k < 13, invariant.IidDeviation is not null);
        }
        Assert.All(fit.Invariants.Take(13), i => Assert.True(i.Deviation < 1e-8, $"{i.Id}: {i.Deviation}"));
        // Gaussian i.i.d. matrices are a PIGMM: the cubic and quartic predictions are within sampling error.
        Assert.All(fit.Invariants.Skip(13), i => Assert.True(i.Deviation < 0.5, $"{i.Id}: {i.Deviation}"));
    }

    [Fact]
    public void A_constant_invariant_has_an_undefined_deviation()
    {
        // Diagonal-free matrices: I1 = trace is 0 in every sample, so its std is 0.
        var ensemble = new InvariantAccumulator(Catalogue.Key, Catalogue.Count, Size);
        var random = new Random(5);
        var matrix = new double[Size * Size];
        var row = new double[Catalogue.Count];
        for (int r = 0; r < 50; r++)
        {
            for (int k = 0; k < matrix.Length; k++)
            {
                matrix[k] = k % (Size + 1) == 0 ? 0 : random.NextDouble() - 0.5;
            }
            Catalogue.Compute(matrix, Size, row);
            ensemble.Add(row);
        }

        var i1 = new EnsembleAnalyzer(Catalogue).Analyze(ensemble).Document.Invariants[0];

        Assert.Equal((0.0, 0.0), (i1.Mean, i1.Std));
        Assert.Null(i1.Deviation);
    }

    [Fact]
    public void Statistics_that_no_ensemble_of_matrices_has_are_refused_with_the_block_named()
    {
        // Rows of invariants that are not those of any matrix: I3 = sum W_ij^2 far below what
        // I2 = sum W_ij forces, so the fitted variances are negative.
        var ensemble = new InvariantAccumulator(Catalogue.Key, Catalogue.Count, Size);
        var row = new double[Catalogue.Count];
        for (int r = 0; r < 3; r++)
        {
            row.AsSpan().Fill(r);
            row[2] = -10;
            ensemble.Add(row);
        }

        var error = Assert.Throws<InvalidModelException>(() => new EnsembleAnalyzer(Catalogue).Analyze(ensemble));

        Assert.Contains("fitted", error.Message);
        Assert.Contains(error.Block.ToString(), error.Message);
    }

    [Fact]
    public void Refuses_another_catalogue_and_fewer_than_two_matrices()
    {
        var analyzer = new EnsembleAnalyzer(Catalogue);

        Assert.Contains("'paper-d3'", Assert.Throws<ArgumentException>(() => analyzer.Analyze(new InvariantAccumulator("paper-d3", 28, Size))).Message);
        Assert.Contains("has 1", Assert.Throws<ArgumentException>(() => analyzer.Analyze(Sample(IidLaw.GaussianInitialisation(Size), 1, 2))).Message);
    }

    [Fact]
    public void Distances_are_zero_to_itself_and_squares_of_each_other()
    {
        var analyzer = new EnsembleAnalyzer(Catalogue);
        var start = analyzer.Analyze(Sample(IidLaw.GaussianInitialisation(Size), 300, 3)).Model;
        var later = analyzer.Analyze(Sample(IidLaw.CentredGaussian(2.0 / Size), 300, 4)).Model;

        var (w2, squared) = EnsembleAnalyzer.Distances(later, 300, 1.0 / Size, start, later);
        var (unknownLaw, _) = EnsembleAnalyzer.Distances(later, 300, initialVariance: null, epoch0: null, previous: null);

        Assert.Equal(0, w2.Previous!.Value, 12);
        Assert.Equal(Wasserstein.SquaredDistance(later, start), squared.Epoch0);
        Assert.Equal(Math.Sqrt(squared.SimpleGaussian!.Value), w2.SimpleGaussian);
        Assert.True(squared.Epoch0 > 0);
        Assert.Equal(new WassersteinDistances(null, null, null), unknownLaw);
    }

    private static InvariantAccumulator Sample(IidLaw law, int matrices, int seed)
    {
        var sampler = new PigmmSampler(new PigmmModel(Size, PigmmParameters.Iid(law.Mean, law.Variance, Size)));
        var random = new Random(seed);
        var ensemble = new InvariantAccumulator(Catalogue.Key, Catalogue.Count, Size);
        var row = new double[Catalogue.Count];
        for (int r = 0; r < matrices; r++)
        {
            Catalogue.Compute(sampler.Sample(random), Size, row);
            ensemble.Add(row);
        }
        return ensemble;
    }
}
