using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>The paper's four classes of cubic and quartic invariants (pigmm-math.md section
/// 5.2), by which the report colours them: the degree (cubic or quartic) with the
/// <see cref="NodeClass"/> (low-node graphs have 1 or 2 vertices, high-node ones 2k - 1 or 2k
/// for degree k).</summary>
internal enum CubicQuarticClass
{
    LowNodeCubic,
    HighNodeCubic,
    LowNodeQuartic,
    HighNodeQuartic,
}

internal static class CubicQuarticClasses
{
    public static readonly IReadOnlyList<CubicQuarticClass> All = Enum.GetValues<CubicQuarticClass>();

    /// <summary>The class of a cubic or quartic invariant; null for other degrees and for the
    /// intermediate vertex counts the paper does not use.</summary>
    public static CubicQuarticClass? Of(InvariantFit invariant) =>
        (invariant.Degree, InvariantClassification.NodeClassOf(invariant.Degree, invariant.Nodes)) switch
        {
            (3, NodeClass.LowNode) => CubicQuarticClass.LowNodeCubic,
            (3, NodeClass.HighNode) => CubicQuarticClass.HighNodeCubic,
            (4, NodeClass.LowNode) => CubicQuarticClass.LowNodeQuartic,
            (4, NodeClass.HighNode) => CubicQuarticClass.HighNodeQuartic,
            _ => null,
        };

    public static string Colour(CubicQuarticClass nodeClass) => nodeClass switch
    {
        CubicQuarticClass.LowNodeCubic => Palette.LowNodeCubic,
        CubicQuarticClass.HighNodeCubic => Palette.HighNodeCubic,
        CubicQuarticClass.LowNodeQuartic => Palette.LowNodeQuartic,
        _ => Palette.HighNodeQuartic,
    };

    public static string Name(CubicQuarticClass nodeClass) => nodeClass switch
    {
        CubicQuarticClass.LowNodeCubic => "low-node cubic (1–2 nodes)",
        CubicQuarticClass.HighNodeCubic => "high-node cubic (5–6 nodes)",
        CubicQuarticClass.LowNodeQuartic => "low-node quartic (1–2 nodes)",
        _ => "high-node quartic (7–8 nodes)",
    };

    /// <summary>Cubic invariants are drawn solid and quartic ones dashed, as in the paper.</summary>
    public static Stroke Stroke(CubicQuarticClass nodeClass) =>
        nodeClass is CubicQuarticClass.LowNodeCubic or CubicQuarticClass.HighNodeCubic ? Plotting.Stroke.Solid : Plotting.Stroke.Dashed;

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
