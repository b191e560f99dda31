namespace OrleansPigmm.Reporting.Plotting;

/// <summary>Colours and text styles of every figure. The data colours stay distinguishable with
/// the common colour-vision deficiencies: Okabe and Ito's eight colours, Paul Tol's "muted"
/// scheme, and blue/orange pairs that differ in lightness as well as hue.</summary>
internal static class Palette
{
    /// <summary>One colour per analysed layer (Okabe and Ito), in layer order, cycling.</summary>
    public static readonly IReadOnlyList<string> Layers =
        ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

    /// <summary>Thirteen distinct colours for I1..I13: black and grey for the two linear
    /// invariants (drawn solid), Tol's muted scheme and two Okabe-Ito colours for the eleven
    /// quadratic ones (drawn dashed).</summary>
    public static readonly IReadOnlyList<string> LowDegreeInvariants =
    [
        "#000000", "#777777",
        "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDAA33", "#CC6677", "#882255", "#AA4499",
        "#E69F00", "#0072B2",
    ];

    // The paper's convention: blue for cubic, orange for quartic; light for low-node, dark for high-node.
    public const string LowNodeCubic = "#5AAEE0";
    public const string HighNodeCubic = "#1B4F9C";
    public const string LowNodeQuartic = "#F39B4C";
    public const string HighNodeQuartic = "#A8420B";

    /// <summary>A single fitted quantity in a small multiple, and its noise band.</summary>
    public const string Single = "#1B4F9C";

    public const string Reference = "#555555";
    public const string Axis = "#444444";
    public const string Grid = "#E3E3E3";
    public const string Missing = "#999999";

    public const string TitleText = "font-size=\"13\" font-weight=\"600\" fill=\"#222222\"";
    public const string LabelText = "font-size=\"12\" fill=\"#222222\"";
    public const string TickText = "font-size=\"11\" fill=\"#444444\"";
    public const string SmallText = "font-size=\"10\" fill=\"#444444\"";

    /// <summary>Rough width of a line of text in the page's sans-serif face; used only to keep
    /// labels and legends apart, so it errs wide.</summary>
    public static double TextWidth(string text, double fontSize) => text.Length * fontSize * 0.57;
}
