using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>The paper's four classes of cubic and quartic invariants (pigmm-math.md section
/// 5.2): low-node graphs have 1 or 2 vertices, high-node ones 2k - 1 or 2k for degree k.</summary>
internal enum NodeClass
{
    LowNodeCubic,
    HighNodeCubic,
    LowNodeQuartic,
    HighNodeQuartic,
}

internal static class NodeClasses
{
    public static readonly IReadOnlyList<NodeClass> All = Enum.GetValues<NodeClass>();

    /// <summary>The class of a cubic or quartic invariant; null for other degrees and for the
    /// intermediate vertex counts the paper does not use.</summary>
    public static NodeClass? Of(InvariantFit invariant) => (invariant.Degree, invariant.Nodes) switch
    {
        (3, <= 2) => NodeClass.LowNodeCubic,
        (3, >= 5) => NodeClass.HighNodeCubic,
        (4, <= 2) => NodeClass.LowNodeQuartic,
        (4, >= 7) => NodeClass.HighNodeQuartic,
        _ => null,
    };

    public static string Colour(NodeClass nodeClass) => nodeClass switch
    {
        NodeClass.LowNodeCubic => Palette.LowNodeCubic,
        NodeClass.HighNodeCubic => Palette.HighNodeCubic,
        NodeClass.LowNodeQuartic => Palette.LowNodeQuartic,
        _ => Palette.HighNodeQuartic,
    };

    public static string Name(NodeClass nodeClass) => nodeClass switch
    {
        NodeClass.LowNodeCubic => "low-node cubic (1–2 nodes)",
        NodeClass.HighNodeCubic => "high-node cubic (5–6 nodes)",
        NodeClass.LowNodeQuartic => "low-node quartic (1–2 nodes)",
        _ => "high-node quartic (7–8 nodes)",
    };

    /// <summary>Cubic invariants are drawn solid and quartic ones dashed, as in the paper.</summary>
    public static Stroke Stroke(NodeClass nodeClass) =>
        nodeClass is NodeClass.LowNodeCubic or NodeClass.HighNodeCubic ? Plotting.Stroke.Solid : Plotting.Stroke.Dashed;

    /// <summary>Legend entries for the four classes, as line samples or as colour swatches.</summary>
    public static IReadOnlyList<LegendItem> Legend(bool asLines) =>
        [.. All.Select(nodeClass => asLines
            ? LegendItem.Line(Name(nodeClass), Colour(nodeClass), Stroke(nodeClass))
            : new LegendItem(Name(nodeClass), Colour(nodeClass), LegendMark.Swatch))];

    /// <summary>E.g. "I22 = ij,ij,ij (cubic, 2 nodes)".</summary>
    public static string Describe(InvariantFit invariant)
    {
        string degree = invariant.Degree switch
        {
            1 => "linear",
            2 => "quadratic",
            3 => "cubic",
            4 => "quartic",
            var k => $"degree {k}",
        };
        return $"{invariant.Id} = {invariant.Spec} ({degree}, {invariant.Nodes} node{(invariant.Nodes == 1 ? "" : "s")})";
    }
}
