namespace OrleansPigmm.Reporting.Plotting;

/// <summary>One bar; a null value is undefined and shown as a hollow marker on the zero line.</summary>
internal sealed record Bar(string Category, double? Value, string Colour, string Tooltip);

/// <summary>Bars from zero, one per category, labelled underneath.</summary>
internal sealed class BarPanel : IPanel
{
    public required string Title { get; init; }

    public required string YTitle { get; init; }

    public required Axis Y { get; init; }

    public required IReadOnlyList<Bar> Bars { get; init; }

    public bool HasData => Bars.Any(bar => bar.Value is double value && Y.Shows(value));

    public IReadOnlyList<string> Draw(SvgCanvas canvas, Area area)
    {
        double labelDepth = Bars.Max(bar => Palette.TextWidth(bar.Category, 10));
        var frame = PlotFrame.Within(area, Y, bottomMargin: labelDepth + 12, rightMargin: 14);
        frame.DrawFrame(canvas, area, Title, YTitle);
        double slot = frame.Plot.Width / Bars.Count;
        double zero = frame.PixelY(0);
        canvas.Line(frame.Plot.X, zero, frame.Plot.Right, zero, $"stroke=\"{Palette.Axis}\" stroke-width=\"1\"");
        var notDrawn = new List<string>();
        for (int i = 0; i < Bars.Count; i++)
        {
            Bar bar = Bars[i];
            double centre = frame.Plot.X + (i + 0.5) * slot;
            canvas.Text(centre + 3.5, frame.Plot.Bottom + 6, bar.Category, $"{Palette.SmallText} text-anchor=\"end\"", -90);
            if (bar.Value is not double value)
            {
                canvas.Circle(centre, zero, 2.5, $"fill=\"white\" stroke=\"{Palette.Missing}\" stroke-width=\"1\"", bar.Tooltip);
                continue;
            }
            if (!Y.Shows(value))
            {
                notDrawn.Add(bar.Category);
                continue;
            }
            double top = Math.Min(zero, frame.PixelY(value)), height = Math.Abs(frame.PixelY(value) - zero);
            canvas.Rectangle(centre - slot * 0.36, top, slot * 0.72, Math.Max(height, 0.5),
                $"class=\"{SvgCanvas.DataMark}\" fill=\"{bar.Colour}\"", bar.Tooltip);
        }
        return notDrawn.Count == 0 ? [] : [$"values of {string.Join(", ", notDrawn)} lie outside the axis and are not drawn."];
    }
}
