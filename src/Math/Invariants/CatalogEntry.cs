namespace OrleansPigmm.Mathematics;

/// <summary>One invariant reported by an <see cref="InvariantCatalog"/>.</summary>
/// <param name="Id">"I1".."I52" for the paper's invariants; "G{degree}.{ordinal}" otherwise, with
/// ordinal the 1-based position of the graph in <see cref="InvariantGraph.Enumerate"/>(degree).</param>
/// <param name="Graph">The graph; for the paper's invariants spelled as the paper does.</param>
/// <param name="PaperNumber">k for the paper's I_k, otherwise null.</param>
public sealed record CatalogEntry(string Id, InvariantGraph Graph, int? PaperNumber)
{
    /// <summary>The paper's spelling for I1..I52, the canonical spelling otherwise.</summary>
    public string Spec => Graph.Spec;

    /// <summary>Number of factors of W.</summary>
    public int Degree => Graph.Degree;

    /// <summary>Linear, quadratic, cubic or quartic.</summary>
    public InvariantFamily Family => InvariantClassification.FamilyOf(Graph);

    /// <summary>Low-, mid- or high-node for cubic and quartic invariants, <see cref="NodeClass.None"/> otherwise.</summary>
    public NodeClass NodeClass => InvariantClassification.NodeClassOf(Graph);
}
