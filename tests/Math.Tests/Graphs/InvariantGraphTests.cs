using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Graphs;

public class InvariantGraphTests
{
    [Theory]
    [InlineData(1, new[] { 1, 1 })]
    [InlineData(2, new[] { 1, 5, 4, 1 })]
    [InlineData(3, new[] { 1, 9, 21, 16, 4, 1 })]
    [InlineData(4, new[] { 1, 18, 71, 108, 71, 22, 4, 1 })]
    public void Enumeration_counts_graphs_by_vertex_number_as_the_spec_says(int degree, int[] byVertices)
    {
        var graphs = InvariantGraph.Enumerate(degree);

        var counts = graphs.GroupBy(g => g.VertexCount).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal(byVertices, counts);
        Assert.Equal(graphs.Count, graphs.Distinct().Count());
        Assert.All(graphs, g => Assert.Equal(degree, g.Degree));
    }

    [Fact]
    public void Set_partitions_of_eight_positions_number_4140()
    {
        Assert.Equal(4140, InvariantGraph.SetPartitions(8).Count());
    }

    [Theory]
    [InlineData("ji,ii,ii", "ii,ii,ji")]
    [InlineData("ij,kj", "ij,kj")]
    [InlineData("jk,ij", "ij,jk")]
    [InlineData("ab,cd,ef,gh", "ij,kl,mn,op")]
    public void Factor_order_and_letter_names_do_not_change_the_graph(string spec, string canonical)
    {
        var graph = InvariantGraph.Parse(spec);

        Assert.Equal(spec, graph.Spec);
        Assert.Equal(canonical, graph.CanonicalSpec);
        Assert.Equal(InvariantGraph.Parse(canonical), graph);
    }

    [Fact]
    public void Edge_direction_matters()
    {
        Assert.NotEqual(InvariantGraph.Parse("ij,jk"), InvariantGraph.Parse("ij,kj"));
        Assert.NotEqual(InvariantGraph.Parse("ii,ij"), InvariantGraph.Parse("ii,ji"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ij,")]
    [InlineData("i")]
    [InlineData("iJ")]
    [InlineData("ijk")]
    [InlineData("ij,jk,kl,lm,mn,no,op,pq,qr")]
    public void Malformed_specs_are_refused_with_a_message_naming_the_spec(string spec)
    {
        var error = Assert.Throws<FormatException>(() => InvariantGraph.Parse(spec));
        Assert.Contains("spec", error.Message);
    }

    [Fact]
    public void Components_split_a_product_of_invariants()
    {
        var graph = InvariantGraph.Parse("ii,jk,kl,mm");

        var parts = graph.Components().Select(c => c.CanonicalSpec).ToArray();

        Assert.Equal(new[] { "ii", "ij,jk", "ii" }, parts);
        Assert.Equal(graph, parts.Select(InvariantGraph.Parse).Aggregate((a, b) => a.DisjointUnion(b)));
    }
}
