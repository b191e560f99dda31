using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Moments;

public class IidInvariantMomentsTests
{
    private static readonly IReadOnlyList<InvariantGraph> Quadratic = LoopInvariants.Quadratic;

    // Appendix T6 (n = 10): means for a zero-mean law of variance s2 are 0, 0, n^2 s2, then n s2
    // (I4, I5, I6), n^2 s2 (I7, I8), n s2 (I9), n^2 s2 (I10), n s2 (I11, I12, I13).
    private static readonly double[] MeansPerVariance = [0, 0, 100, 10, 10, 10, 100, 100, 10, 100, 10, 10, 10];

    private static readonly double[] GaussianVariancesT6 = [1, 10, 2.00000000000003, 2, 1.1, 1.1, 20, 20, 11, 200, 0.2, 2, 11];

    private static readonly double[] UniformVariancesT6 =
    [
        0.333333333333333, 3.33333333333333, 0.0888888888888868, 0.208888888888889, 0.108888888888889, 0.108888888888889,
        2.08888888888889, 2.08888888888889, 1.20888888888889, 22.0888888888889, 0.0088888888888889, 0.208888888888889, 1.20888888888889,
    ];

    public static TheoryData<string> Laws => new() { "gaussian", "uniform" };

    [Theory]
    [MemberData(nameof(Laws))]
    public void Appendix_T6_means_and_variances_for_the_paper_initialisations(string lawName)
    {
        var (law, variance, variances) = lawName == "gaussian"
            ? (IidLaw.GaussianInitialisation(10), 0.1, GaussianVariancesT6)
            : (IidLaw.UniformInitialisation(10), 1.0 / 30, UniformVariancesT6);

        for (int k = 0; k < 13; k++)
        {
            AssertRelative(MeansPerVariance[k] * variance, IidInvariantMoments.Expectation(Quadratic[k], 10, law), 1e-14, $"E[I{k + 1}]");
            // T6 prints 15 digits; the exact values 2 and 0.08888... differ from its I3 entries in the 14th.
            AssertRelative(variances[k], IidInvariantMoments.Variance(Quadratic[k], 10, law), 1e-12, $"Var[I{k + 1}]");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(640)]
    public void Closed_forms_of_section_7_4_hold_for_a_skewed_zero_mean_law(int n)
    {
        var law = IidLaw.FromRawMoments(0, 0.3, -0.2, 0.5, 0.1, 0.9, -0.4, 2.5);
        double m2 = 0.3, m4 = 0.5, size = n;

        AssertRelative(size * size * (m4 - m2 * m2), Variance("ij,ij"), 1e-14, "Var(I3)");
        AssertRelative(size * m4 + size * (2 * size - 3) * m2 * m2, Variance("ij,ji"), 1e-14, "Var(I4)");
        AssertRelative(size * m4 + size * (2 * size - 3) * m2 * m2, Variance("ii,jj"), 1e-14, "Var(I12)");
        AssertRelative(size * size * m4 + size * size * (2 * size - 3) * m2 * m2, Variance("ij,ik"), 1e-14, "Var(I7)");
        AssertRelative(size * size * m4 + size * size * (2 * size - 3) * m2 * m2, Variance("ij,kj"), 1e-14, "Var(I8)");
        AssertRelative(size * (m4 - m2 * m2), Variance("ii,ii"), 1e-14, "Var(I11)");

        double Variance(string spec) => IidInvariantMoments.Variance(InvariantGraph.Parse(spec), n, law);
    }

    public static TheoryData<int, string> SmallCases()
    {
        var cases = new TheoryData<int, string>();
        foreach (var graph in Quadratic)
        {
            cases.Add(2, graph.Spec);
            cases.Add(3, graph.Spec);
        }
        foreach (var spec in new[] { "ii,ij,jj", "ij,ij,ji", "ii,jk,lm", "ji,ii,ij,jj", "ij,ij,ij,ij", "ij,jk,ki" })
        {
            cases.Add(2, spec);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(SmallCases))]
    public void Moments_equal_a_weighted_sum_over_every_matrix_of_a_three_point_law(int n, string spec)
    {
        // w = -1, 1/2, 2 with probabilities 1/4, 1/2, 1/4: mean 1/8, skewed; all values dyadic.
        double[] values = [-1, 0.5, 2];
        double[] probabilities = [0.25, 0.5, 0.25];
        var law = IidLaw.FromRawMoments(Enumerable.Range(1, 8).Select(r => values.Zip(probabilities, (w, p) => p * System.Math.Pow(w, r)).Sum()).ToArray());
        var graph = InvariantGraph.Parse(spec);

        double mean = 0, meanSquare = 0;
        var choice = new int[n * n];
        var matrix = new double[n * n];
        while (true)
        {
            double probability = 1;
            for (int e = 0; e < choice.Length; e++)
            {
                matrix[e] = values[choice[e]];
                probability *= probabilities[choice[e]];
            }
            double invariant = BruteForce.Evaluate(graph, matrix, n);
            mean += probability * invariant;
            meanSquare += probability * invariant * invariant;
            int position = choice.Length - 1;
            while (position >= 0 && ++choice[position] == values.Length)
            {
                choice[position--] = 0;
            }
            if (position < 0)
            {
                break;
            }
        }

        AssertRelative(mean, IidInvariantMoments.Expectation(graph, n, law), 1e-12, $"E[{spec}]");
        if (graph.Degree <= 4)
        {
            AssertRelative(meanSquare - mean * mean, IidInvariantMoments.Variance(graph, n, law), 1e-11, $"Var[{spec}]");
        }
    }

    [Fact]
    public void A_large_mean_causes_no_cancellation_in_the_variance()
    {
        // Var(S) for i.i.d. entries is n^2 Var(w) whatever the mean; E[S^2] is 10^12 times larger here.
        var law = IidLaw.FromRawMoments(1000, 1000 * 1000 + 0.25, 0, 0);

        Assert.Equal(100 * 0.25, IidInvariantMoments.Variance(InvariantGraph.Parse("ij"), 10, law));
    }

    [Fact]
    public void Letters_beyond_n_count_nothing()
    {
        // sum over distinct-or-equal i, j, k of W_ij W_jk W_ki at n = 1 is just W_00^3.
        var law = IidLaw.FromRawMoments(0.5, 0.25, 0.125);

        Assert.Equal(0.125, IidInvariantMoments.Expectation(InvariantGraph.Parse("ij,jk,ki"), 1, law));
    }

    [Fact]
    public void Missing_moments_and_oversized_graphs_are_refused_with_the_reason()
    {
        var fourMoments = IidLaw.FromRawMoments(0, 1, 0, 3);

        var moments = Assert.Throws<ArgumentException>(() => IidInvariantMoments.Variance(InvariantGraph.Parse("ij,jk,kl"), 10, fourMoments));
        Assert.Contains("m_1..m_6", moments.Message);
        var vertices = Assert.Throws<ArgumentException>(() => IidInvariantMoments.Expectation(InvariantGraph.Parse("ij,kl,mn,op,qr,st,uv"), 10, fourMoments));
        Assert.Contains("14 vertices", vertices.Message);
        var degree = Assert.Throws<ArgumentException>(() => IidInvariantMoments.Variance(InvariantGraph.Parse("ij,jk,kl,lm,mn"), 10, IidLaw.CentredGaussian(1)));
        Assert.Contains("degree-10", degree.Message);
    }

    [Fact]
    public void Named_laws_have_the_textbook_moments()
    {
        var gaussian = IidLaw.CentredGaussian(0.5);
        var uniform = IidLaw.SymmetricUniform(2);

        Assert.Equal([0, 0.5, 0, 0.75, 0, 1.875], Enumerable.Range(1, 6).Select(gaussian.RawMoment));
        Assert.Equal([0, 4.0 / 3, 0, 16.0 / 5, 0, 64.0 / 7], Enumerable.Range(1, 6).Select(uniform.RawMoment));
        Assert.Equal(1, gaussian.RawMoment(0));
        Assert.Equal(0.1, IidLaw.GaussianInitialisation(10).Variance);
        Assert.Equal(1.0 / 30, IidLaw.UniformInitialisation(10).Variance, 1e-17);
        Assert.Null(gaussian.HighestMoment);
        Assert.Equal("N(0, 0.5)", gaussian.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => IidLaw.CentredGaussian(-1));
        Assert.Throws<ArgumentException>(() => IidLaw.FromRawMoments(0, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => IidLaw.FromRawMoments(0, 1).RawMoment(3));
    }

    private static void AssertRelative(double expected, double actual, double relative, string what)
    {
        double error = System.Math.Abs(actual - expected);
        Assert.True(error <= relative * System.Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}.");
    }
}
