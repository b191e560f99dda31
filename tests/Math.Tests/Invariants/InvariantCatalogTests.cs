using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Invariants;

public class InvariantCatalogTests
{
    [Theory]
    [InlineData("paper-d2", 13)]
    [InlineData("paper-d3", 28)]
    [InlineData("paper-d4", 52)]
    [InlineData("all-d2", 13)]
    [InlineData("all-d3", 65)]
    [InlineData("all-d4", 361)]
    public void Catalogues_hold_the_paper_prefix_and_optionally_every_other_graph(string key, int count)
    {
        var catalog = InvariantCatalog.FromKey(key);

        Assert.Equal(key, catalog.Key);
        Assert.Equal(count, catalog.Count);
        Assert.Equal(PaperInvariants.All.Take(catalog.PaperCount).Select(p => p.Id), catalog.Entries.Take(catalog.PaperCount).Select(e => e.Id));
        Assert.Equal(catalog.Count, catalog.Entries.Select(e => e.Graph).Distinct().Count());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void The_all_graphs_catalogue_holds_every_graph_up_to_its_degree_once(int degree)
    {
        var catalog = InvariantCatalog.AllGraphs(degree);

        var expected = Enumerable.Range(1, degree).SelectMany(InvariantGraph.Enumerate).ToHashSet();
        Assert.True(expected.SetEquals(catalog.Entries.Select(e => e.Graph)));
    }

    [Fact]
    public void Other_graphs_have_ids_from_their_position_in_the_enumeration_and_canonical_specs()
    {
        var catalog = InvariantCatalog.AllGraphs(4);
        var enumerations = Enumerable.Range(1, 4).Select(InvariantGraph.Enumerate).ToArray();

        foreach (var entry in catalog.Entries.Skip(catalog.PaperCount))
        {
            var parts = entry.Id[1..].Split('.');
            var graph = enumerations[int.Parse(parts[0]) - 1][int.Parse(parts[1]) - 1];
            Assert.Equal(graph, entry.Graph);
            Assert.Equal(graph.CanonicalSpec, entry.Spec);
            Assert.Null(entry.PaperNumber);
        }
        Assert.Equal(catalog.Entries.Skip(catalog.PaperCount).Select(e => e.Degree).Order(), catalog.Entries.Skip(catalog.PaperCount).Select(e => e.Degree));
    }

    [Fact]
    public void Ids_do_not_depend_on_the_catalogue_options()
    {
        var smaller = InvariantCatalog.AllGraphs(3).Entries.ToDictionary(e => e.Id, e => e.Graph);
        var larger = InvariantCatalog.AllGraphs(4).Entries.ToDictionary(e => e.Id, e => e.Graph);

        Assert.All(smaller, pair => Assert.Equal(pair.Value, larger[pair.Key]));
    }

    [Fact]
    public void Entries_carry_degree_family_and_node_class()
    {
        var entries = InvariantCatalog.AllGraphs(4).Entries;

        Assert.All(entries, e => Assert.Equal((InvariantFamily)e.Degree, e.Family));
        Assert.Equal(37 + 272, entries.Count(e => e.NodeClass == NodeClass.MidNode));
        Assert.All(entries.Where(e => e.NodeClass == NodeClass.MidNode), e => Assert.Null(e.PaperNumber));
    }

    [Theory]
    [InlineData(4, 21)]
    [InlineData(5, 22)]
    public void Every_entry_equals_its_definition_evaluated_by_nested_loops(int n, int seed)
    {
        var catalog = InvariantCatalog.AllGraphs(4);
        var matrix = TestMatrices.Uniform(n, seed);
        var values = new double[catalog.Count];

        catalog.Compute(matrix, n, values);

        for (int e = 0; e < catalog.Count; e++)
        {
            var graph = catalog.Entries[e].Graph;
            Agreement.WithinTermScale(BruteForce.Evaluate(graph, matrix, n), values[e], BruteForce.TermMagnitude(graph, matrix, n), catalog.Entries[e].Id);
        }
    }

    [Fact]
    public void Paper_entries_are_the_values_of_PaperInvariants()
    {
        const int n = 12;
        var matrix = TestMatrices.Uniform(n, 8).Select(x => (float)x).ToArray();
        var catalog = InvariantCatalog.Paper(3);
        var values = new double[catalog.Count];
        var paper = new double[52];

        catalog.Compute(matrix, n, values);
        PaperInvariants.Compute(matrix, n, paper);

        Assert.Equal(paper.Take(28), values);
    }

    [Fact]
    public void Float_input_gives_exactly_the_values_of_the_same_numbers_as_doubles()
    {
        var catalog = InvariantCatalog.AllGraphs(4);
        EntryPointChecks.FloatInputIsExact(9, catalog.Count, catalog.Compute, catalog.Compute);
    }

    [Fact]
    public void Results_do_not_depend_on_alignment_or_on_scratch_contents()
    {
        var catalog = InvariantCatalog.AllGraphs(3);
        EntryPointChecks.IndependentOfAlignmentAndScratch(12, catalog.Count, catalog.ScratchLength(12), catalog.Compute, catalog.Compute);
    }

    [Theory]
    [InlineData("")]
    [InlineData("paper-d5")]
    [InlineData("all-d0")]
    [InlineData("paper-d")]
    [InlineData("everything-d4")]
    [InlineData("all-d44")]
    public void Unknown_keys_are_refused(string key)
    {
        var error = Assert.Throws<FormatException>(() => InvariantCatalog.FromKey(key));
        Assert.Contains("paper-d1..paper-d4", error.Message);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var catalog = InvariantCatalog.AllGraphs(3);

        Assert.Throws<ArgumentOutOfRangeException>(() => InvariantCatalog.Paper(5));
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => catalog.Compute(new double[9], 3, new double[65])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => catalog.Compute(new double[16], 4, new double[64])).ParamName);
        Assert.Equal("scratch", Assert.Throws<ArgumentException>(() =>
            catalog.Compute(new double[16], 4, new double[65], new double[catalog.ScratchLength(4) - 1])).ParamName);
    }
}
