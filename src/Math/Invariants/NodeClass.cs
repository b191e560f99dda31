namespace OrleansPigmm.Mathematics;

/// <summary>
/// How many vertices (distinct letters) a cubic or quartic invariant of degree k has, in the
/// classes of pigmm-math.md section 5.2; see <see cref="InvariantClassification.NodeClassOf(InvariantGraph)"/>.
/// </summary>
public enum NodeClass
{
    /// <summary>Degree 1 or 2: the paper does not classify these.</summary>
    None = 0,

    /// <summary>1 or 2 vertices (the paper's I14..I23 and I29..I47).</summary>
    LowNode = 1,

    /// <summary>3 to 2k - 2 vertices: graphs the paper does not use.</summary>
    MidNode = 2,

    /// <summary>2k - 1 or 2k vertices (the paper's I24..I28 and I48..I52).</summary>
    HighNode = 3,
}
