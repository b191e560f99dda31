using System.Globalization;
using System.Text;

namespace OrleansPigmm.Reporting.Plotting;

/// <summary>
/// Accumulates SVG markup. Every coordinate goes through <see cref="Number"/>, so no culture
/// and no NaN or infinity can reach the output, and every text through HTML escaping.
/// </summary>
internal sealed class SvgCanvas
{
    /// <summary>The class the page's check script looks for: elements that draw data.</summary>
    public const string DataMark = "mark";

    private readonly StringBuilder markup = new();

    public void Line(double x1, double y1, double x2, double y2, string style) =>
        markup.Append($"<line x1=\"{Number(x1)}\" y1=\"{Number(y1)}\" x2=\"{Number(x2)}\" y2=\"{Number(y2)}\" {style}/>");

    public void Rectangle(double x, double y, double width, double height, string style, string? tooltip = null) =>
        Shape($"<rect x=\"{Number(x)}\" y=\"{Number(y)}\" width=\"{Number(width)}\" height=\"{Number(height)}\" {style}", tooltip, "rect");

    public void Circle(double x, double y, double radius, string style, string? tooltip = null) =>
        Shape($"<circle cx=\"{Number(x)}\" cy=\"{Number(y)}\" r=\"{Number(radius)}\" {style}", tooltip, "circle");

    public void Path(PathData data, string style, string? tooltip = null) =>
        Shape($"<path d=\"{data}\" {style}", tooltip, "path");

    /// <summary>Text with its baseline at y; rotated by <paramref name="degrees"/> about (x, y).</summary>
    public void Text(double x, double y, string text, string style, double degrees = 0)
    {
        string rotation = degrees == 0 ? "" : $" transform=\"rotate({Number(degrees)} {Number(x)} {Number(y)})\"";
        markup.Append($"<text x=\"{Number(x)}\" y=\"{Number(y)}\"{rotation} {style}>{Html.Escape(text)}</text>");
    }

    public void OpenGroup(string attributes) => markup.Append($"<g {attributes}>");

    public void CloseGroup() => markup.Append("</g>");

    public override string ToString() => markup.ToString();

    /// <summary>A coordinate rounded to 0.01 px in invariant culture.</summary>
    /// <exception cref="InvalidOperationException">The value is NaN or infinite: a scale let a
    /// value through that it cannot place, which is a bug, not a property of the data.</exception>
    public static string Number(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidOperationException($"A non-finite coordinate ({value}) was about to be written into a figure.");
        }
        double rounded = Math.Round(value, 2);
        return (rounded == 0 ? 0 : rounded).ToString("0.##", CultureInfo.InvariantCulture);
    }

    private void Shape(string openTag, string? tooltip, string tag)
    {
        markup.Append(openTag);
        markup.Append(tooltip is null ? "/>" : $"><title>{Html.Escape(tooltip)}</title></{tag}>");
    }
}

/// <summary>The d attribute of an SVG path, built from absolute move and line commands.</summary>
internal sealed class PathData
{
    private readonly StringBuilder commands = new();

    public PathData MoveTo(double x, double y) => Append('M', x, y);

    public PathData LineTo(double x, double y) => Append('L', x, y);

    public PathData Close()
    {
        commands.Append('Z');
        return this;
    }

    public override string ToString() => commands.ToString();

    private PathData Append(char command, double x, double y)
    {
        commands.Append(command).Append(SvgCanvas.Number(x)).Append(' ').Append(SvgCanvas.Number(y));
        return this;
    }
}

/// <summary>A rectangle in SVG user units (pixels at 100 % zoom).</summary>
internal readonly record struct Area(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;
}
