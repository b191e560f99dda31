using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Invariants;

public class PaperInvariantsTests
{
    [Fact]
    public void Entries_are_I1_to_I52_with_the_specs_of_the_table()
    {
        var all = PaperInvariants.All;

        Assert.Equal(52, all.Count);
        Assert.Equal(Enumerable.Range(1, 52).Select(k => "I" + k), all.Select(p => p.Id));
        Assert.Equal("ji,ii,ii", all[17].Spec);
        Assert.Equal("jj,ji,ii,ii", all[34].Spec);
        Assert.Equal("ij,kl,mn,op", all[51].Spec);
        Assert.Equal(new[] { 2, 11, 15, 24 }, all.GroupBy(p => p.Degree).Select(g => g.Count()));
    }

    [Fact]
    public void The_52_specs_are_all_graphs_of_degree_1_and_2_and_the_low_and_high_node_graphs_of_degree_3_and_4()
    {
        var paper = PaperInvariants.All.Select(p => p.Graph).ToHashSet();
        var expected = Enumerable.Range(1, 4).SelectMany(InvariantGraph.Enumerate)
            .Where(g => g.Degree <= 2 || g.VertexCount <= 2 || g.VertexCount >= 2 * g.Degree - 1);

        Assert.Equal(52, paper.Count);
        Assert.True(paper.SetEquals(expected));
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 9)]
    [InlineData(3, 5, 4)]
    [InlineData(3, 6, 1)]
    [InlineData(4, 1, 1)]
    [InlineData(4, 2, 18)]
    [InlineData(4, 7, 4)]
    [InlineData(4, 8, 1)]
    public void Node_counts_are_those_of_section_5_2(int degree, int vertices, int count)
    {
        Assert.Equal(count, PaperInvariants.All.Count(p => p.Degree == degree && p.Graph.VertexCount == vertices));
    }

    [Fact]
    public void Families_and_node_classes_follow_the_table()
    {
        var all = PaperInvariants.All;

        Assert.All(all.Take(13), p => Assert.Equal(NodeClass.None, p.NodeClass));
        Assert.All(all.Skip(13).Take(10).Concat(all.Skip(28).Take(19)), p => Assert.Equal(NodeClass.LowNode, p.NodeClass));
        Assert.All(all.Skip(23).Take(5).Concat(all.Skip(47)), p => Assert.Equal(NodeClass.HighNode, p.NodeClass));
        Assert.Equal(new[] { InvariantFamily.Linear, InvariantFamily.Quadratic, InvariantFamily.Cubic, InvariantFamily.Quartic },
            all.Select(p => p.Family).Distinct());
        Assert.Equal(new[] { 2, 13, 28, 52 }, Enumerable.Range(1, 4).Select(PaperInvariants.CountUpToDegree));
    }

    [Fact]
    public void Ids_and_numbers_convert_both_ways_for_I1_to_I52_only()
    {
        Assert.All(PaperInvariants.All, p => Assert.Equal(p.Id, PaperInvariants.Id(p.Number)));
        Assert.All(PaperInvariants.All, p => Assert.Equal(p.Number, PaperInvariants.NumberOf(p.Id)));
        Assert.All(new[] { "I0", "I53", "i1", "I", "I+1", "I 1", "J2", "" }, id => Assert.Null(PaperInvariants.NumberOf(id)));
    }

    [Fact]
    public void The_node_class_of_a_degree_and_vertex_count_is_that_of_every_graph_with_them()
    {
        Assert.All(Enumerable.Range(1, 4).SelectMany(InvariantGraph.Enumerate), g =>
            Assert.Equal(InvariantClassification.NodeClassOf(g), InvariantClassification.NodeClassOf(g.Degree, g.VertexCount)));
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(5, 3)]
    [InlineData(5, 4)]
    public void The_recipes_equal_the_definitions_evaluated_by_nested_loops(int n, int seed)
    {
        var matrix = TestMatrices.Uniform(n, seed);
        var values = new double[PaperInvariants.Count];

        PaperInvariants.Compute(matrix, n, values);

        foreach (var invariant in PaperInvariants.All)
        {
            Agreement.WithinTermScale(BruteForce.Evaluate(invariant.Graph, matrix, n), values[invariant.Number - 1],
                BruteForce.TermMagnitude(invariant.Graph, matrix, n), invariant.Id);
        }
    }

    // Sizes around the SIMD widths (4 and 8 lanes), where the last block of rows overlaps.
    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(33)]
    public void The_recipes_equal_the_graph_evaluator_at_sizes_that_are_not_multiples_of_the_vector_width(int n)
    {
        var matrix = TestMatrices.Uniform(n, n);
        var evaluator = new GraphEvaluator(PaperInvariants.All.Select(p => p.Graph));
        var values = new double[52];
        var expected = new double[52];
        var magnitudes = new double[52];

        PaperInvariants.Compute(matrix, n, values);
        evaluator.Evaluate(matrix, n, expected);
        evaluator.Evaluate(TestMatrices.Absolute(matrix), n, magnitudes);

        for (int k = 0; k < 52; k++)
        {
            Agreement.WithinTermScale(expected[k], values[k], magnitudes[k], $"I{k + 1} at n = {n}");
        }
    }

    [Fact]
    public void Float_input_gives_exactly_the_values_of_the_same_numbers_as_doubles() =>
        EntryPointChecks.FloatInputIsExact(13, 52, PaperInvariants.Compute, PaperInvariants.Compute);

    [Theory]
    [InlineData(7)]
    [InlineData(21)]
    public void Results_do_not_depend_on_alignment_or_on_scratch_contents(int n) =>
        EntryPointChecks.IndependentOfAlignmentAndScratch(n, 52, PaperInvariants.ScratchLength(n), PaperInvariants.Compute, PaperInvariants.Compute);

    [Fact]
    public void Steady_state_calls_allocate_nothing()
    {
        const int n = 64;
        var matrix = TestMatrices.Uniform(n, 5);
        var values = new double[52];
        var scratch = new double[PaperInvariants.ScratchLength(n)];

        Allocations.AssertNone(() => PaperInvariants.Compute(matrix, n, values, scratch));
    }

    [Fact]
    public void Small_sizes_take_their_scratch_from_the_stack()
    {
        var matrix = TestMatrices.Uniform(10, 5);
        var values = new double[52];

        Allocations.AssertNone(() => PaperInvariants.Compute(matrix, 10, values));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Sizes_below_4_are_refused(int n)
    {
        var error = Assert.Throws<ArgumentException>(() => PaperInvariants.Compute(new double[System.Math.Max(n, 0) * System.Math.Max(n, 0)], n, new double[52]));
        Assert.Equal("n", error.ParamName);
        Assert.Contains("n >= 4", error.Message);
    }

    [Fact]
    public void Spans_of_the_wrong_length_are_refused()
    {
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => PaperInvariants.Compute(new double[15], 4, new double[52])).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => PaperInvariants.Compute(new float[17], 4, new double[52])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => PaperInvariants.Compute(new double[16], 4, new double[51])).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() =>
            PaperInvariants.Compute(new double[16], 4, new double[52], new double[PaperInvariants.ScratchLength(4) - 1])).ParamName);
    }

    [Fact]
    public void NaN_entries_propagate_into_every_invariant_whose_sums_include_them()
    {
        const int n = 9;
        var matrix = TestMatrices.Uniform(n, 3);
        matrix[2 * n + 5] = double.NaN;
        var values = new double[52];

        PaperInvariants.Compute(matrix, n, values);

        int[] diagonalOnly = [1, 11, 12, 14, 15, 29, 30, 31];
        for (int k = 1; k <= 52; k++)
        {
            Assert.True(double.IsNaN(values[k - 1]) != diagonalOnly.Contains(k), $"I{k} = {values[k - 1]}");
        }
    }
}
