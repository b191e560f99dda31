namespace OrleansPigmm.Mathematics;

/// <summary>
/// One of the 52 invariants of the paper (pigmm-math.md section 5.2).
/// </summary>
/// <param name="Number">k in I_k, 1..52; entry k - 1 of <see cref="PaperInvariants.All"/> and of
/// every array <see cref="PaperInvariants.Compute(ReadOnlySpan{double}, int, Span{double})"/> fills.</param>
/// <param name="Graph">The graph, spelled as the paper's table spells it (<see cref="InvariantGraph.Spec"/>).</param>
public sealed record PaperInvariant(int Number, InvariantGraph Graph)
{
    /// <summary>"I1" .. "I52".</summary>
    public string Id => PaperInvariants.Id(Number);

    /// <summary>The spec exactly as the paper's table writes it, e.g. <c>ji,ii,ii</c> for I18.</summary>
    public string Spec => Graph.Spec;

    /// <summary>Number of factors of W.</summary>
    public int Degree => Graph.Degree;

    /// <summary>Linear, quadratic, cubic or quartic.</summary>
    public InvariantFamily Family => InvariantClassification.FamilyOf(Graph);

    /// <summary>Low-node or high-node for cubic and quartic invariants, <see cref="NodeClass.None"/> otherwise.</summary>
    public NodeClass NodeClass => InvariantClassification.NodeClassOf(Graph);
}
