using FsCheck;
using FsCheck.Fluent;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Fitting;

public class PigmmFitTests
{
    private static readonly InvariantGraph[] PaperGraphs = ReferenceData.PaperSpecs.Select(InvariantGraph.Parse).ToArray();

    [Fact]
    public void The_deterministic_ensemble_has_the_invariants_of_table_T4()
    {
        var ensemble = DeterministicEnsemble();
        var absolute = ensemble.Select(w => w.Select(System.Math.Abs).ToArray()).ToList();

        for (int g = 0; g < PaperGraphs.Length; g++)
        {
            var graph = PaperGraphs[g];
            // The index sums add terms of both signs; evaluating on |W| gives the sum of their sizes.
            Close.Assert(ReferenceData.EnsembleFirstMatrixInvariants[g], BruteForce.Evaluate(graph, ensemble[0], 4), 1e-12, BruteForce.Evaluate(graph, absolute[0], 4), $"I{g + 1}(W0)");
            Close.Assert(ReferenceData.EnsembleMeans[g], ensemble.Average(w => BruteForce.Evaluate(graph, w, 4)), 1e-12, absolute.Average(w => BruteForce.Evaluate(graph, w, 4)), $"mean I{g + 1}");
        }
    }

    [Fact]
    public void Both_fits_of_the_deterministic_ensemble_give_table_T4_and_its_predictions()
    {
        var ensemble = DeterministicEnsemble();

        var fromStatistics = PigmmFit.FromStatistics(Statistics(ensemble, 4));
        var fromBlocks = PigmmFit.FromEnsemble(ensemble, 4);

        // Fitted values are differences of ensemble moments of size ~20: 1e-12 of that scale.
        Close.All(ReferenceData.EnsembleFit, fromStatistics.Parameters.ToArray(), 1e-12, scale: 1e-1, what: "f from statistics");
        Close.All(ReferenceData.EnsembleFit, fromBlocks.Parameters.ToArray(), 1e-12, scale: 1e-1, what: "f from blocks");
        var predictions = ExpectationPlan.Compile(PaperGraphs[13..]).Evaluate(fromStatistics);
        Close.All(ReferenceData.EnsemblePredictions, predictions, 1e-12, scale: 1e-1, what: "E_fit[I14..I52]");
    }

    [Fact]
    public void Forward_map_then_fit_returns_the_parameters_of_any_valid_model()
    {
        var cases = RandomModels.ParametersGen.Zip(Gen.Elements(4, 5, 7, 10, 33, 640));

        Prop.ForAll(cases.ToArbitrary(), entry =>
        {
            var (parameters, n) = entry;
            var means = new PigmmModel(n, parameters).ExpectedQuadraticInvariants();

            var fit = PigmmFit.FromStatistics(QuadraticStatistics.FromMeans(n, 1000, means));

            Close.All(parameters.ToArray(), fit.Parameters.ToArray(), 1e-10, scale: 1e-2, what: $"f at n = {n}");
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(5, 7)]
    [InlineData(8, 30)]
    public void Fits_from_blocks_and_from_statistics_agree_and_predict_the_ensemble_means(int n, int count)
    {
        var random = new Random(n * count);
        var ensemble = Enumerable.Range(0, count).Select(_ => RandomModels.Matrix(random, n, mean: 0.4)).ToList();
        var means = QuadraticMeans(ensemble, n);

        var fromStatistics = PigmmFit.FromStatistics(Statistics(ensemble, n));
        var fromBlocks = PigmmFit.FromEnsemble(ensemble, n);

        Close.All(fromBlocks.Parameters.ToArray(), fromStatistics.Parameters.ToArray(), 1e-12, scale: 1, what: "f");
        Close.All(means, fromBlocks.ExpectedQuadraticInvariants(), 1e-12, scale: n * n, what: "E_fit[I1..I13]");
    }

    [Fact]
    public void Relabelling_each_matrix_by_its_own_permutation_does_not_change_the_fit()
    {
        const int n = 6;
        var random = new Random(6);
        var ensemble = Enumerable.Range(0, 5).Select(_ => RandomModels.Matrix(random, n, mean: -0.2)).ToArray();
        var fit = PigmmFit.FromEnsemble(ensemble, n).Parameters.ToArray();

        Prop.ForAll(RandomModels.PermutationGen(n).ArrayOf(ensemble.Length).ToArbitrary(), permutations =>
        {
            var relabelled = ensemble.Select((w, s) => BruteForce.Permute(w, n, permutations[s]));
            Close.All(fit, PigmmFit.FromEnsemble(relabelled, n).Parameters.ToArray(), 1e-12, scale: 1);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_large_sample_recovers_the_parameters_within_sampling_error()
    {
        const int n = 6, draws = 4000;
        var truth = new PigmmModel(n, RandomModels.Parameters(new Random(60)));
        var sampler = new PigmmSampler(truth);
        var random = new Random(61);

        var fit = PigmmFit.FromEnsemble(Enumerable.Range(0, draws).Select(_ => sampler.Sample(random)), n).Parameters.ToArray();

        var f = truth.Parameters.ToArray();
        double shrink = 1 - 1.0 / draws;
        double dimV2 = n * (n - 3) / 2.0, dimV3 = (n - 1) * (n - 2) / 2.0;
        (double Expected, double Error)[] bounds =
        [
            (f[0], System.Math.Sqrt(f[2] / draws)),
            (f[1], System.Math.Sqrt(f[4] / draws)),
            (shrink * f[2], CovarianceError(f[2], f[2], f[2], draws)),
            (shrink * f[3], CovarianceError(f[2], f[4], f[3], draws)),
            (shrink * f[4], CovarianceError(f[4], f[4], f[4], draws)),
            (f[5], CovarianceError(f[5], f[5], f[5], draws * (n - 1))),
            (f[6], CovarianceError(f[5], f[8], f[6], draws * (n - 1))),
            (f[7], CovarianceError(f[5], f[10], f[7], draws * (n - 1))),
            (f[8], CovarianceError(f[8], f[8], f[8], draws * (n - 1))),
            (f[9], CovarianceError(f[8], f[10], f[9], draws * (n - 1))),
            (f[10], CovarianceError(f[10], f[10], f[10], draws * (n - 1))),
            (f[11], f[11] * System.Math.Sqrt(2 / (draws * dimV2))),
            (f[12], f[12] * System.Math.Sqrt(2 / (draws * dimV3))),
        ];
        for (int k = 0; k < 13; k++)
        {
            Assert.True(System.Math.Abs(fit[k] - bounds[k].Expected) < 6 * bounds[k].Error, $"f{k + 1}: fitted {fit[k]}, expected {bounds[k].Expected} +- {bounds[k].Error}");
        }
    }

    [Fact]
    public void Fits_of_pairs_shrink_L0_by_one_half_and_leave_the_other_blocks_unbiased()
    {
        const int n = 4, pairs = 3000;
        var truth = new PigmmModel(n, PigmmParameters.FromArray(ReferenceData.Parameters));
        var sampler = new PigmmSampler(truth);
        var random = new Random(44);
        var sum = new double[13];
        var sumOfSquares = new double[13];

        for (int p = 0; p < pairs; p++)
        {
            var fit = PigmmFit.FromEnsemble([sampler.Sample(random), sampler.Sample(random)], n).Parameters.ToArray();
            for (int k = 0; k < 13; k++)
            {
                sum[k] += fit[k];
                sumOfSquares[k] += fit[k] * fit[k];
            }
        }

        var f = ReferenceData.Parameters;
        for (int k = 0; k < 13; k++)
        {
            double expected = k is >= 2 and <= 4 ? f[k] / 2 : f[k];
            double mean = sum[k] / pairs;
            double error = System.Math.Sqrt((sumOfSquares[k] / pairs - mean * mean) / pairs);
            Assert.True(System.Math.Abs(mean - expected) < 6 * error, $"f{k + 1}: mean fit {mean}, expected {expected} +- {error}");
        }
    }

    [Fact]
    public void Statistics_of_no_ensemble_give_a_one_line_error_naming_the_fitted_block()
    {
        var means = new PigmmModel(10, PigmmParameters.FromArray(ReferenceData.Parameters)).ExpectedQuadraticInvariants();
        means[8] += 5;

        var error = Assert.Throws<InvalidModelException>(() => PigmmFit.FromStatistics(QuadraticStatistics.FromMeans(10, 1000, means)));

        Assert.Equal(PigmmBlock.VH, error.Block);
        Assert.StartsWith("The fitted VH covariance block LH is not positive semidefinite (eigenvalues -", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Bad_ensembles_are_refused()
    {
        var nan = new double[16];
        nan[3] = double.NaN;

        Assert.Throws<ArgumentException>(() => PigmmFit.FromEnsemble([], 4));
        Assert.Contains("[0][3]", Assert.Throws<ArgumentException>(() => PigmmFit.FromEnsemble([nan], 4)).Message);
        Assert.Throws<ArgumentException>(() => PigmmFit.FromEnsemble([new double[16], new double[15]], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PigmmFit.FromEnsemble([new double[9]], 3));
    }

    /// <summary>T4: W[r][i][j] = sin(1 + 0.7 r + 1.3 i + 0.4 j + 0.1 i j), N = 5, n = 4.</summary>
    private static List<double[]> DeterministicEnsemble() =>
        Enumerable.Range(0, 5)
            .Select(r => Enumerable.Range(0, 16).Select(p => System.Math.Sin(1 + 0.7 * r + 1.3 * (p / 4) + 0.4 * (p % 4) + 0.1 * (p / 4) * (p % 4))).ToArray())
            .ToList();

    private static double[] QuadraticMeans(IReadOnlyList<double[]> ensemble, int n) =>
        PaperGraphs[..13].Select(g => ensemble.Average(w => BruteForce.Evaluate(g, w, n))).ToArray();

    /// <summary>The statistics with the centred moments of S and t computed per matrix (no cancellation).</summary>
    private static QuadraticStatistics Statistics(IReadOnlyList<double[]> ensemble, int n)
    {
        var total = ensemble.Select(w => w.Sum()).ToArray();
        var trace = ensemble.Select(w => Enumerable.Range(0, n).Sum(i => w[i * n + i])).ToArray();
        double meanTotal = total.Average(), meanTrace = trace.Average();
        return new QuadraticStatistics(
            n, ensemble.Count, QuadraticMeans(ensemble, n),
            total.Average(s => (s - meanTotal) * (s - meanTotal)),
            total.Zip(trace).Average(st => (st.First - meanTotal) * (st.Second - meanTrace)),
            trace.Average(t => (t - meanTrace) * (t - meanTrace)));
    }

    /// <summary>Standard error of a sample covariance of two Gaussian coordinates from <paramref name="count"/> draws.</summary>
    private static double CovarianceError(double varianceA, double varianceB, double covariance, int count) =>
        System.Math.Sqrt((varianceA * varianceB + covariance * covariance) / count);
}
