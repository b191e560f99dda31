namespace OrleansPigmm.Reporting.Plotting;

internal enum LegendMark
{
    SolidLine,
    DashedLine,
    DottedLine,
    Swatch,
    Shade,
}

/// <summary>One legend entry: a sample of the mark and what it stands for.</summary>
internal sealed record LegendItem(string Label, string Colour, LegendMark Mark)
{
    /// <summary>The entry of a line drawn with <paramref name="stroke"/>.</summary>
    public static LegendItem Line(string label, string colour, Stroke stroke) =>
        new(label, colour, stroke == Stroke.Solid ? LegendMark.SolidLine : LegendMark.DashedLine);
}

/// <summary>A figure's legend, set above its panels and wrapped to the figure's width so that
/// it never covers data.</summary>
internal static class Legend
{
    private const double RowHeight = 20;
    private const double SampleWidth = 28;
    private const double Spacing = 22;

    /// <summary>Height the legend takes in a figure of the given width (0 without items).</summary>
    public static double Height(IReadOnlyList<LegendItem> items, double width) =>
        items.Count == 0 ? 0 : Layout(items, width).Max(place => place.y) + RowHeight + 6;

    public static void Draw(SvgCanvas canvas, IReadOnlyList<LegendItem> items, double width)
    {
        foreach (var (item, x, y) in Layout(items, width))
        {
            double middle = y + RowHeight / 2 + 2;
            string line = $"stroke=\"{item.Colour}\" stroke-width=\"2\"";
            switch (item.Mark)
            {
                case LegendMark.SolidLine:
                    canvas.Line(x, middle, x + SampleWidth, middle, line);
                    break;
                case LegendMark.DashedLine:
                    canvas.Line(x, middle, x + SampleWidth, middle, line + " stroke-dasharray=\"7 4\"");
                    break;
                case LegendMark.DottedLine:
                    canvas.Line(x, middle, x + SampleWidth, middle, $"stroke=\"{item.Colour}\" stroke-width=\"1.2\" stroke-dasharray=\"1.5 3\"");
                    break;
                case LegendMark.Swatch:
                    canvas.Rectangle(x + 7, middle - 6, 14, 12, $"fill=\"{item.Colour}\"");
                    break;
                case LegendMark.Shade:
                    canvas.Rectangle(x, middle - 6, SampleWidth, 12, $"fill=\"{item.Colour}\" fill-opacity=\"0.18\"");
                    break;
            }
            canvas.Text(x + SampleWidth + 6, middle + 4, item.Label, Palette.LabelText);
        }
    }

    private static List<(LegendItem item, double x, double y)> Layout(IReadOnlyList<LegendItem> items, double width)
    {
        var places = new List<(LegendItem, double, double)>();
        double x = 12, y = 4;
        foreach (LegendItem item in items)
        {
            double itemWidth = SampleWidth + 6 + Palette.TextWidth(item.Label, 12);
            if (x > 12 && x + itemWidth > width - 12)
            {
                x = 12;
                y += RowHeight;
            }
            places.Add((item, x, y));
            x += itemWidth + Spacing;
        }
        return places;
    }
}
