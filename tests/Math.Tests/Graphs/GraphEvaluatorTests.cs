using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;
using static OrleansPigmm.Math.Tests.Reference.TestGraphs;

namespace OrleansPigmm.Math.Tests.Graphs;

public class GraphEvaluatorTests
{
    [Theory]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    public void Every_graph_of_degree_at_most_4_equals_its_definition_evaluated_by_nested_loops(int n, int seed)
    {
        var matrix = TestMatrices.Uniform(n, seed);
        var values = new double[UpToDegree4.Length];

        UpToDegree4Evaluator.Evaluate(matrix, n, values);

        Assert.Equal(361, values.Length);
        for (int g = 0; g < UpToDegree4.Length; g++)
        {
            Agreement.WithinTermScale(BruteForce.Evaluate(UpToDegree4[g], matrix, n), values[g],
                BruteForce.TermMagnitude(UpToDegree4[g], matrix, n), UpToDegree4[g].Spec);
        }
    }

    [Fact]
    public void The_whole_catalogue_up_to_degree_4_needs_only_the_products_W_W_and_W_WT_and_WT_W()
    {
        Assert.Equal(3, UpToDegree4Evaluator.MatrixProductCount);
    }

    [Theory]
    [InlineData("ij,jk,kl,lm,mi")]
    [InlineData("ii,ij,jk,kl,li,lm")]
    [InlineData("ij,ji,jk,kl,li")]
    [InlineData("ij,jk,ki,kl,lm,mk")]
    [InlineData("ij,jk,kl,li,ik")]
    [InlineData("ii,jj,kk,ij,jk,ki")]
    [InlineData("ij,jk,kl,lm,mn,ni,ik")]
    public void Larger_graphs_are_evaluated_when_elimination_does_not_get_stuck(string spec)
    {
        const int n = 4;
        var graph = InvariantGraph.Parse(spec);
        var matrix = TestMatrices.Uniform(n, spec.Length);

        double value = GraphEvaluator.Evaluate(graph, matrix, n);

        Agreement.WithinTermScale(BruteForce.Evaluate(graph, matrix, n), value, BruteForce.TermMagnitude(graph, matrix, n), spec);
    }

    [Fact]
    public void A_graph_whose_vertices_all_have_three_neighbours_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<ArgumentException>(() => new GraphEvaluator([InvariantGraph.Parse("ij,ik,il,jk,jl,kl")]));

        Assert.Contains("three or more neighbours", error.Message);
    }

    [Fact]
    public void Float_input_gives_exactly_the_values_of_the_same_numbers_as_doubles() =>
        EntryPointChecks.FloatInputIsExact(11, UpToDegree4.Length, UpToDegree4Evaluator.Evaluate, UpToDegree4Evaluator.Evaluate);

    [Fact]
    public void Results_do_not_depend_on_alignment_or_on_scratch_contents() =>
        EntryPointChecks.IndependentOfAlignmentAndScratch(13, UpToDegree4.Length, UpToDegree4Evaluator.ScratchLength(13),
            UpToDegree4Evaluator.Evaluate, UpToDegree4Evaluator.Evaluate);

    [Fact]
    public void Steady_state_evaluations_allocate_nothing()
    {
        const int n = 24;
        var matrix = TestMatrices.Uniform(n, 2);
        var values = new double[UpToDegree4.Length];
        var scratch = new double[UpToDegree4Evaluator.ScratchLength(n)];

        Allocations.AssertNone(() => UpToDegree4Evaluator.Evaluate(matrix, n, values, scratch));
    }

    [Fact]
    public void Small_evaluations_take_their_scratch_from_the_stack()
    {
        var evaluator = new GraphEvaluator(PaperInvariants.All.Select(p => p.Graph));
        var matrix = TestMatrices.Uniform(6, 2);
        var values = new double[52];

        Allocations.AssertNone(() => evaluator.Evaluate(matrix, 6, values));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new GraphEvaluator([]));
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => UpToDegree4Evaluator.Evaluate(new double[9], 3, new double[361])).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => UpToDegree4Evaluator.Evaluate(new double[17], 4, new double[361])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => UpToDegree4Evaluator.Evaluate(new double[16], 4, new double[360])).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() =>
            UpToDegree4Evaluator.Evaluate(new double[16], 4, new double[361], new double[UpToDegree4Evaluator.ScratchLength(4) - 1])).ParamName);
    }

    [Fact]
    public void NaN_entries_propagate_and_leave_purely_diagonal_invariants_alone()
    {
        const int n = 6;
        var matrix = TestMatrices.Uniform(n, 4);
        matrix[1 * n + 4] = double.NaN;
        var values = new double[UpToDegree4.Length];

        UpToDegree4Evaluator.Evaluate(matrix, n, values);

        for (int g = 0; g < UpToDegree4.Length; g++)
        {
            bool onlyLoops = Enumerable.Range(0, UpToDegree4[g].Degree).All(e => UpToDegree4[g].Edge(e).Tail == UpToDegree4[g].Edge(e).Head);
            Assert.True(double.IsNaN(values[g]) != onlyLoops, $"{UpToDegree4[g].Spec} = {values[g]}");
        }
    }
}
