using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Deviations;

public class InitialLawReferenceTests
{
    [Fact]
    public void Laws_with_the_same_exact_description_share_a_reference()
    {
        var reference = InitialLawReference.Of(10, IidLaw.GaussianInitialisation(10));

        Assert.True(reference.Describes(10, IidLaw.CentredGaussian(0.1), StandardErrorConvention.Exact));
        Assert.False(reference.Describes(10, IidLaw.UniformInitialisation(10), StandardErrorConvention.Exact));
        Assert.False(reference.Describes(11, IidLaw.GaussianInitialisation(10), StandardErrorConvention.Exact));
        Assert.False(reference.Describes(10, IidLaw.GaussianInitialisation(10), StandardErrorConvention.PaperHandWritten));
    }

    [Fact]
    public void Deviations_use_the_exact_moments_of_the_law()
    {
        const int n = 6;
        var law = IidLaw.UniformInitialisation(n);
        var reference = InitialLawReference.Of(n, law);
        var means = Enumerable.Range(1, 13).Select(k => 0.01 * k).ToArray();

        var deviations = reference.Deviations(means, 250);

        Assert.Equal(13, reference.Expectations.Count);
        for (int k = 0; k < 13; k++)
        {
            var graph = PaperInvariants.All[k].Graph;
            double expected = System.Math.Abs(means[k] - IidInvariantMoments.Expectation(graph, n, law)) / System.Math.Sqrt(IidInvariantMoments.Variance(graph, n, law) / 250);
            Assert.Equal(expected, deviations[k]!.Value, 12);
        }
    }

    [Fact]
    public void An_ensemble_of_another_size_is_refused()
    {
        var ensemble = new InvariantAccumulator("paper-d2", 13, 5);
        ensemble.Add(new double[13]);

        var error = Assert.Throws<ArgumentException>(() => InitialLawReference.Of(6, IidLaw.GaussianInitialisation(6)).Deviations(ensemble));

        Assert.Contains("5 x 5", error.Message);
    }
}
