namespace OrleansPigmm.Mathematics;

/// <summary>Classification of graphs into <see cref="InvariantFamily"/> and <see cref="NodeClass"/>
/// (pigmm-math.md section 5.2).</summary>
public static class InvariantClassification
{
    /// <summary>The node class of <paramref name="graph"/>: <see cref="NodeClass.None"/> for degree
    /// below 3, otherwise by vertex count v: v &lt;= 2 low, v &gt;= 2k - 1 high, else mid.</summary>
    public static NodeClass NodeClassOf(InvariantGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return NodeClassOf(graph.Degree, graph.VertexCount);
    }

    /// <summary>The node class of a graph of degree <paramref name="k"/> with
    /// <paramref name="vertices"/> vertices (distinct letters), by the same rule.</summary>
    public static NodeClass NodeClassOf(int k, int vertices)
    {
        return k < 3 ? NodeClass.None
            : vertices <= 2 ? NodeClass.LowNode
            : vertices >= 2 * k - 1 ? NodeClass.HighNode
            : NodeClass.MidNode;
    }

    /// <summary>The family of a graph of degree 1 to 4.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The degree is above 4.</exception>
    public static InvariantFamily FamilyOf(InvariantGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(graph.Degree, 4, nameof(graph));
        return (InvariantFamily)graph.Degree;
    }
}
