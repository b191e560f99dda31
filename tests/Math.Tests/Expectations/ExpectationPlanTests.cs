using FsCheck;
using FsCheck.Fluent;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Expectations;

public class ExpectationPlanTests
{
    private static readonly InvariantGraph[] PaperGraphs = ReferenceData.PaperSpecs.Select(InvariantGraph.Parse).ToArray();

    private static readonly ExpectationPlan PaperPlan = ExpectationPlan.Compile(PaperGraphs);

    private static readonly InvariantGraph[] GraphsUpToDegreeFour = Enumerable.Range(1, 4).SelectMany(InvariantGraph.Enumerate).ToArray();

    [Theory]
    [InlineData(4, 1e-12)]
    [InlineData(10, 1e-12)]
    [InlineData(640, 1e-10)]
    public void Reference_expectations_of_the_52_paper_invariants_match_table_T2(int n, double tolerance)
    {
        var expected = n switch
        {
            4 => ReferenceData.ExpectationsN4,
            10 => ReferenceData.ExpectationsN10,
            _ => ReferenceData.ExpectationsN640,
        };
        var model = new PigmmModel(n, PigmmParameters.FromArray(ReferenceData.Parameters));

        var actual = PaperPlan.Evaluate(model);

        Close.All(expected, actual, tolerance, what: $"E[I] at n = {n}");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Every_graph_up_to_degree_four_matches_Isserlis_on_the_dense_covariance(int n)
    {
        var model = new PigmmModel(n, RandomModels.Parameters(new Random(100 + n)));
        var dense = DenseGaussian.Of(model);
        var plan = ExpectationPlan.Compile(GraphsUpToDegreeFour);

        var exact = plan.Evaluate(model);

        Assert.Equal(361, GraphsUpToDegreeFour.Length);
        for (int g = 0; g < GraphsUpToDegreeFour.Length; g++)
        {
            var graph = GraphsUpToDegreeFour[g];
            double expected = dense.Expectation(graph, out double magnitude);
            // The dense sum adds n^V terms of both signs: its own rounding scales with their sizes.
            Close.Assert(expected, exact[g], 1e-12, magnitude, graph.Spec);
        }
    }

    [Theory]
    [InlineData(4, 0.3, 0.05)]
    [InlineData(10, -1.5, 0.003)]
    [InlineData(640, 0.3, 0.05)]
    [InlineData(640, 2.0, 0.003)]
    [InlineData(100000, -0.3, 0.05)]
    public void Moments_of_the_total_and_the_trace_have_the_closed_forms_of_section_7_3(int n, double f1, double f3)
    {
        var f = ReferenceData.Parameters.ToArray();
        f[0] = f1;
        f[2] = f3;
        var model = new PigmmModel(n, PigmmParameters.FromArray(f));
        double cn = System.Math.Sqrt(n - 1.0);
        double meanS = n * f1, varS = (double)n * n * f3;
        double meanT = f1 + cn * f[1];
        var plan = ExpectationPlan.Compile(new[] { "ij,kl,mn", "ij,kl,mn,op", "ii", "ii,jj" }.Select(InvariantGraph.Parse));

        var actual = plan.Evaluate(model);

        Close.Assert(meanS * meanS * meanS + 3 * meanS * varS, actual[0], 1e-12, what: "E[S^3]");
        Close.Assert(System.Math.Pow(meanS, 4) + 6 * meanS * meanS * varS + 3 * varS * varS, actual[1], 1e-12, what: "E[S^4]");
        Close.Assert(meanT, actual[2], 1e-12, what: "E[t]");
        Close.Assert(meanT * meanT + f3 + 2 * cn * f[3] + (n - 1) * f[4], actual[3], 1e-12, what: "E[t^2]");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(640)]
    public void Degree_six_expansions_give_the_iid_gaussian_variances_of_section_7_4(int n)
    {
        const double s2 = 0.1;
        var model = new PigmmModel(n, PigmmParameters.Iid(0, s2, n));
        string[] specs = ["ij,ij", "ij,ji", "ij,ik", "ii,ii"];
        var graphs = specs.Select(InvariantGraph.Parse).ToArray();
        var plan = ExpectationPlan.Compile(graphs.Concat(graphs.Select(g => g.DisjointUnion(g))));
        double m2 = s2, m4 = 3 * s2 * s2;
        double[] variances = [n * n * (m4 - m2 * m2), n * m4 + n * (2 * n - 3) * m2 * m2, n * n * m4 + n * n * (2.0 * n - 3) * m2 * m2, n * (m4 - m2 * m2)];

        var values = plan.Evaluate(model);

        for (int q = 0; q < specs.Length; q++)
        {
            double mean = values[q];
            Close.Assert(variances[q], values[specs.Length + q] - mean * mean, 1e-10, what: $"Var({specs[q]})");
        }
    }

    [Fact]
    public void Sample_means_of_the_paper_invariants_agree_with_the_exact_values_at_n_10()
    {
        const int n = 10, draws = 2000;
        var model = new PigmmModel(n, PigmmParameters.FromArray(ReferenceData.Parameters));
        var sampler = new PigmmSampler(model);
        var random = new Random(2024);
        var components = PaperGraphs.Select(g => g.Components()).ToArray();
        var sum = new double[PaperGraphs.Length];
        var sumOfSquares = new double[PaperGraphs.Length];

        for (int s = 0; s < draws; s++)
        {
            var matrix = sampler.Sample(random);
            for (int g = 0; g < PaperGraphs.Length; g++)
            {
                double value = components[g].Aggregate(1.0, (product, part) => product * BruteForce.Evaluate(part, matrix, n));
                sum[g] += value;
                sumOfSquares[g] += value * value;
            }
        }

        var exact = PaperPlan.Evaluate(model);
        for (int g = 0; g < PaperGraphs.Length; g++)
        {
            double mean = sum[g] / draws;
            double standardError = System.Math.Sqrt((sumOfSquares[g] / draws - mean * mean) / draws);
            Assert.True(System.Math.Abs(mean - exact[g]) < 6 * standardError, $"I{g + 1}: sample mean {mean} vs exact {exact[g]} (standard error {standardError})");
        }
    }

    [Fact]
    public void The_order_of_the_factors_does_not_change_the_plan()
    {
        var quartics = InvariantGraph.Enumerate(4);
        var model = new PigmmModel(7, RandomModels.Parameters(new Random(7)));
        var cases = Gen.Elements(quartics.ToArray()).SelectMany(graph => RandomModels.PermutationGen(4).Select(order => (graph, order)));

        Prop.ForAll(cases.ToArbitrary(), entry =>
        {
            var (graph, order) = entry;
            var reordered = InvariantGraph.FromSlots(order.SelectMany(e => new[] { graph.Slots[2 * e], graph.Slots[2 * e + 1] }).ToArray());
            var values = ExpectationPlan.Compile([graph, reordered]).Evaluate(model);
            return values[0] == values[1];
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_single_graph_expectation_equals_its_value_in_a_plan()
    {
        var model = new PigmmModel(12, RandomModels.Parameters(new Random(12)));

        Assert.Equal(PaperPlan.Evaluate(model)[40], model.Expectation(PaperGraphs[40]));
    }

    [Fact]
    public void A_plan_lists_its_graphs_and_refuses_a_short_destination()
    {
        var model = new PigmmModel(5, PigmmParameters.FromArray(ReferenceData.Parameters));

        Assert.Equal(PaperGraphs, PaperPlan.Graphs);
        Assert.Throws<ArgumentException>(() => PaperPlan.Evaluate(model, new double[51]));
        Assert.Throws<ArgumentNullException>(() => ExpectationPlan.Compile([PaperGraphs[0], null!]));
    }
}
