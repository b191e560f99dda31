using FsCheck;
using FsCheck.Fluent;
using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;
using static OrleansPigmm.Math.Tests.Reference.TestGraphs;

namespace OrleansPigmm.Math.Tests.Graphs;

/// <summary>Properties every invariant has, checked on random matrices and relabellings.</summary>
public class InvariancePropertyTests
{
    /// <summary>n in 4..12, a matrix with entries in [-1, 1], and a permutation of 0..n-1.</summary>
    private static Arbitrary<(int N, double[] Matrix, int[] Permutation)> MatricesWithPermutations { get; } = Arb.From(
        from n in Gen.Choose(4, 12)
        from matrix in Gen.Choose(-1_000_000, 1_000_000).Select(x => x / 1e6).ArrayOf(n * n)
        from permutation in Gen.Shuffle(Enumerable.Range(0, n))
        select (n, matrix, permutation));

    [Fact]
    public void Every_graph_of_degree_at_most_4_is_unchanged_by_relabelling_rows_and_columns_together()
    {
        Prop.ForAll(MatricesWithPermutations, c =>
        {
            var (values, relabelled, magnitudes) = (new double[361], new double[361], new double[361]);
            UpToDegree4Evaluator.Evaluate(c.Matrix, c.N, values);
            UpToDegree4Evaluator.Evaluate(BruteForce.Permute(c.Matrix, c.N, c.Permutation), c.N, relabelled);
            UpToDegree4Evaluator.Evaluate(TestMatrices.Absolute(c.Matrix), c.N, magnitudes);
            for (int g = 0; g < values.Length; g++)
            {
                Agreement.WithinTermScale(values[g], relabelled[g], magnitudes[g], $"{UpToDegree4[g].Spec} at n = {c.N}");
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_52_paper_invariants_are_unchanged_by_relabelling_rows_and_columns_together()
    {
        var paperGraphs = new GraphEvaluator(PaperInvariants.All.Select(p => p.Graph));
        Prop.ForAll(MatricesWithPermutations, c =>
        {
            var (values, relabelled, magnitudes) = (new double[52], new double[52], new double[52]);
            PaperInvariants.Compute(c.Matrix, c.N, values);
            PaperInvariants.Compute(BruteForce.Permute(c.Matrix, c.N, c.Permutation), c.N, relabelled);
            paperGraphs.Evaluate(TestMatrices.Absolute(c.Matrix), c.N, magnitudes);
            for (int k = 0; k < 52; k++)
            {
                Agreement.WithinTermScale(values[k], relabelled[k], magnitudes[k], $"I{k + 1} at n = {c.N}");
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Evaluation_does_not_depend_on_how_a_graph_is_spelled()
    {
        var respellings = Arb.From(
            from graph in Gen.Elements(UpToDegree4)
            from factorOrder in Gen.Shuffle(Enumerable.Range(0, graph.Degree))
            from letters in Gen.Shuffle("abcdefghijklmnopqrstuvwxyz".ToCharArray())
            select (Graph: graph, Respelled: Respell(graph, factorOrder, letters)));
        var matrix = TestMatrices.Uniform(6, 1);
        Prop.ForAll(respellings, c =>
        {
            Assert.Equal(c.Graph, c.Respelled);
            Assert.Equal(GraphEvaluator.Evaluate(c.Graph, matrix, 6), GraphEvaluator.Evaluate(c.Respelled, matrix, 6));
        }).QuickCheckThrowOnFailure();
    }

    private static InvariantGraph Respell(InvariantGraph graph, int[] factorOrder, char[] letters) =>
        InvariantGraph.Parse(string.Join(',', factorOrder.Select(e => $"{letters[graph.Edge(e).Tail]}{letters[graph.Edge(e).Head]}")));
}
