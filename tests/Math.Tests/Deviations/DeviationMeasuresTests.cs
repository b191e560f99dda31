using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Deviations;

public class DeviationMeasuresTests
{
    [Fact]
    public void Model_deviation_counts_standard_deviations_and_is_undefined_without_spread()
    {
        Assert.Equal(2.5, DeviationMeasures.ModelDeviation(prediction: 1, mean: 6, populationStd: 2));
        Assert.Equal(0.0, DeviationMeasures.ModelDeviation(3, 3, 0.5));
        Assert.Null(DeviationMeasures.ModelDeviation(3, 3, 0));
        Assert.Null(DeviationMeasures.ModelDeviation(1, 3, 0));
    }

    [Theory]
    [InlineData(double.NaN, 0, 1)]
    [InlineData(0, double.PositiveInfinity, 1)]
    [InlineData(0, 0, -1)]
    [InlineData(0, 0, double.NaN)]
    public void Model_deviation_refuses_invalid_inputs(double prediction, double mean, double std)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviationMeasures.ModelDeviation(prediction, mean, std));
    }

    [Fact]
    public void Model_deviations_of_an_ensemble_start_at_I14_and_report_constant_invariants_as_undefined()
    {
        var ensemble = new InvariantAccumulator("paper-15", 15, 10);
        ensemble.Add([.. Enumerable.Repeat(1.0, 13), 2, 7]);
        ensemble.Add([.. Enumerable.Repeat(1.0, 13), 4, 7]);

        var deviations = DeviationMeasures.ModelDeviations(ensemble, [5, 7]);

        Assert.Equal([2.0, null], deviations);
        var error = Assert.Throws<ArgumentException>(() => DeviationMeasures.ModelDeviations(ensemble, [5]));
        Assert.Contains("I14..I15", error.Message);
    }

    [Fact]
    public void Element_wise_model_deviations_name_the_bad_position()
    {
        var error = Assert.Throws<ArgumentException>(() => DeviationMeasures.ModelDeviations([1, double.NaN], [1, 1], [1, 1]));

        Assert.Contains("Position 1", error.Message);
        Assert.Throws<ArgumentException>(() => DeviationMeasures.ModelDeviations([1, 2], [1], [1, 1]));
    }

    [Theory]
    [InlineData(1.0, 3.0, 0.5)]
    [InlineData(3.0, 1.0, -0.5)]
    [InlineData(0.0, 2.0, 1.0)]
    [InlineData(2.0, 0.0, -1.0)]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(0.7, 0.7, 0.0)]
    public void Normalised_change_lies_in_minus_one_to_one_and_no_change_is_zero(double initial, double final, double expected)
    {
        Assert.Equal(expected, DeviationMeasures.NormalisedChange(initial, final));
    }

    [Fact]
    public void Normalised_change_of_an_undefined_deviation_is_undefined_and_negative_deviations_are_refused()
    {
        Assert.Null(DeviationMeasures.NormalisedChange(null, 1));
        Assert.Null(DeviationMeasures.NormalisedChange(1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviationMeasures.NormalisedChange(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviationMeasures.NormalisedChange(1, double.NaN));
    }

    [Fact]
    public void Initial_law_deviation_measures_the_distance_from_the_exact_mean_in_standard_errors()
    {
        var law = IidLaw.GaussianInitialisation(10);
        var means = Quadratic.Select(graph => IidInvariantMoments.Expectation(graph, 10, law)).ToArray();
        // Move I2 by 3 standard errors of a mean of N = 1000 (Var(I2) = 10) and I7 by -2 (Var(I7) = 20).
        means[1] += 3 * System.Math.Sqrt(10.0 / 1000);
        means[6] -= 2 * System.Math.Sqrt(20.0 / 1000);

        var deviations = DeviationMeasures.InitialLawDeviations(means, 1000, 10, law);

        Assert.Equal(3, deviations[1]!.Value, 1e-12);
        Assert.Equal(2, deviations[6]!.Value, 1e-12);
        Assert.All(deviations.Where((_, k) => k != 1 && k != 6), deviation => Assert.Equal(0.0, deviation!.Value, 1e-12));
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("uniform")]
    public void The_papers_standard_errors_are_too_small_for_seven_invariants_and_exact_for_six(string initialisation)
    {
        var law = initialisation == "gaussian" ? IidLaw.GaussianInitialisation(10) : IidLaw.UniformInitialisation(10);
        var means = Quadratic.Select(graph => IidInvariantMoments.Expectation(graph, 10, law) + 0.01).ToArray();

        var exact = DeviationMeasures.InitialLawDeviations(means, 1000, 10, law);
        var paper = DeviationMeasures.InitialLawDeviations(means, 1000, 10, law, StandardErrorConvention.PaperHandWritten);

        // Deviations scale inversely with the standard error: exact / paper = SE_paper / SE_exact.
        var ratios = exact.Zip(paper, (e, p) => e!.Value / p!.Value).ToArray();
        Assert.All(new[] { 0, 1, 2, 4, 5, 10 }, k => Assert.Equal(1.0, ratios[k], 1e-12));
        Assert.All(new[] { 3, 6, 7, 8, 9, 11, 12 }, k => Assert.InRange(ratios[k], 0.70, 0.96));
    }

    [Fact]
    public void The_papers_variances_for_the_Gaussian_initialisation_are_those_of_its_code()
    {
        // Variances of T6 (exact) against the paper's n m4 + n (n-2) m2^2 = 1.1 for I4, and so on.
        double[] paperVariances = [1, 10, 2, 1.1, 1.1, 1.1, 11, 11, 10.1, 101, 0.2, 1.1, 10.1];
        double[] exactVariances = [1, 10, 2, 2, 1.1, 1.1, 20, 20, 11, 200, 0.2, 2, 11];
        var law = IidLaw.GaussianInitialisation(10);
        var means = Quadratic.Select(graph => IidInvariantMoments.Expectation(graph, 10, law) + 1).ToArray();

        var paper = DeviationMeasures.InitialLawDeviations(means, 1, 10, law, StandardErrorConvention.PaperHandWritten);
        var exact = DeviationMeasures.InitialLawDeviations(means, 1, 10, law);

        // With N = 1 and a shift of 1, each deviation is 1 / sqrt(variance).
        Assert.Equal(paperVariances, paper.Select(deviation => 1 / (deviation!.Value * deviation.Value)).ToArray(), (a, b) => System.Math.Abs(a - b) <= 1e-12 * a);
        Assert.Equal(exactVariances, exact.Select(deviation => 1 / (deviation!.Value * deviation.Value)).ToArray(), (a, b) => System.Math.Abs(a - b) <= 1e-12 * a);
    }

    [Fact]
    public void The_papers_standard_errors_need_a_zero_mean_law()
    {
        var shifted = IidLaw.FromRawMoments(0.1, 0.2, 0.05, 0.1);

        var error = Assert.Throws<ArgumentException>(() => DeviationMeasures.InitialLawDeviations(new double[13], 100, 10, shifted, StandardErrorConvention.PaperHandWritten));

        Assert.Contains("zero-mean", error.Message);
    }

    [Fact]
    public void Initial_law_deviations_of_an_ensemble_use_its_means_N_and_n()
    {
        var law = IidLaw.UniformInitialisation(4);
        var ensemble = new InvariantAccumulator("paper-13", 13, 4);
        ensemble.Add(Enumerable.Range(1, 13).Select(k => 0.1 * k).ToArray());
        ensemble.Add(Enumerable.Range(1, 13).Select(k => -0.2 * k).ToArray());

        var fromEnsemble = DeviationMeasures.InitialLawDeviations(ensemble, law);
        var fromMeans = DeviationMeasures.InitialLawDeviations(ensemble.Means(), 2, 4, law);

        Assert.Equal(fromMeans, fromEnsemble);
    }

    [Fact]
    public void A_degenerate_initial_law_leaves_the_deviation_undefined()
    {
        var zero = IidLaw.CentredGaussian(0);

        var deviations = DeviationMeasures.InitialLawDeviations(new double[13], 10, 10, zero);

        Assert.All(deviations, deviation => Assert.Null(deviation));
    }

    private static IReadOnlyList<InvariantGraph> Quadratic => Reference.LoopInvariants.Quadratic;
}
