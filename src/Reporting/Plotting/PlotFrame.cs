namespace OrleansPigmm.Reporting.Plotting;

/// <summary>One panel's drawing surface: the title above, the value axis on the left and the
/// plotting area they frame. Line and bar panels share it so that every figure has the same
/// margins, grid and type.</summary>
internal sealed class PlotFrame
{
    private const double TitleHeight = 26;
    private const double AxisTitleWidth = 22;

    private PlotFrame(Area plot, Axis y)
    {
        Plot = plot;
        Y = y;
    }

    /// <summary>Where data are drawn.</summary>
    public Area Plot { get; }

    public Axis Y { get; }

    /// <summary>Lays out a frame in <paramref name="area"/>, leaving <paramref name="bottomMargin"/>
    /// for the horizontal axis and <paramref name="rightMargin"/> for labels beside the data.</summary>
    public static PlotFrame Within(Area area, Axis y, double bottomMargin, double rightMargin)
    {
        double tickLabels = y.Ticks.Where(tick => tick.Label is not null).Max(tick => Palette.TextWidth(tick.Label!, 11));
        double left = area.X + AxisTitleWidth + tickLabels + 10;
        double top = area.Y + TitleHeight;
        return new PlotFrame(new Area(left, top, area.Right - rightMargin - left, area.Bottom - bottomMargin - top), y);
    }

    /// <summary>Vertical pixel of a value the axis shows.</summary>
    public double PixelY(double value) => Plot.Bottom - Y.Fraction(value) * Plot.Height;

    /// <summary>Title, grid lines, value ticks and labels, the axis title (with "log scale" on a
    /// log axis) and the axis lines.</summary>
    public void DrawFrame(SvgCanvas canvas, Area area, string title, string yTitle)
    {
        canvas.Text(Plot.X, area.Y + 16, title, Palette.TitleText);
        foreach (Tick tick in Y.Ticks)
        {
            double y = PixelY(tick.Value);
            if (tick.Label is null)
            {
                canvas.Line(Plot.X - 3, y, Plot.X, y, $"stroke=\"{Palette.Axis}\" stroke-width=\"0.8\"");
                continue;
            }
            canvas.Line(Plot.X, y, Plot.Right, y, $"stroke=\"{Palette.Grid}\" stroke-width=\"1\"");
            canvas.Line(Plot.X - 5, y, Plot.X, y, $"stroke=\"{Palette.Axis}\" stroke-width=\"1\"");
            canvas.Text(Plot.X - 8, y + 4, tick.Label, $"{Palette.TickText} text-anchor=\"end\"");
        }
        string axisTitle = Y.IsLog ? $"{yTitle} — log scale" : yTitle;
        canvas.Text(area.X + 14, Plot.Y + Plot.Height / 2, axisTitle, $"{Palette.LabelText} text-anchor=\"middle\"", -90);
        canvas.Line(Plot.X, Plot.Y, Plot.X, Plot.Bottom, $"stroke=\"{Palette.Axis}\" stroke-width=\"1\"");
        canvas.Line(Plot.X, Plot.Bottom, Plot.Right, Plot.Bottom, $"stroke=\"{Palette.Axis}\" stroke-width=\"1\"");
    }
}
