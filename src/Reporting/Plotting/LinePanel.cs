namespace OrleansPigmm.Reporting.Plotting;

/// <summary>A value at an epoch; null where it is undefined or not yet known (drawn as a gap).</summary>
internal readonly record struct DataPoint(int X, double? Y);

internal enum Stroke
{
    Solid,
    Dashed,
}

/// <summary>One line of a line panel: its name in end labels and notes, its look, its points in
/// epoch order, and what a reader hovering over it sees.</summary>
internal sealed record LineSeries(string Label, string Colour, Stroke Stroke, IReadOnlyList<DataPoint> Points, string Tooltip);

/// <summary>A shaded range that varies along x (e.g. the lowest and highest replica).</summary>
internal sealed record RangeBand(string Colour, IReadOnlyList<(int X, double Low, double High)> Points, string Tooltip);

/// <summary>A shaded horizontal band across the whole panel (e.g. a noise band).</summary>
internal sealed record LevelBand(double Low, double High, string Colour, string Tooltip);

/// <summary>A dotted horizontal reference line, labelled at its right end.</summary>
internal sealed record ReferenceLevel(double Y, string Label);

/// <summary>A panel of one or more lines against epoch, with optional bands and reference
/// levels: the one routine behind every line figure of the report.</summary>
internal sealed record LinePanel : IPanel
{
    private const double EndLabelGap = 12;
    private const double XInset = 8;
    private const int MostMarkedPoints = 16;
    private const int MostMarkedSeries = 13;
    private const double PixelsPerTick = 45;

    public required string Title { get; init; }

    public required string YTitle { get; init; }

    public IReadOnlyList<LineSeries> Series { get; init; } = [];

    public IReadOnlyList<RangeBand> RangeBands { get; init; } = [];

    public IReadOnlyList<LevelBand> LevelBands { get; init; } = [];

    public IReadOnlyList<ReferenceLevel> References { get; init; } = [];

    /// <summary>The value axis; null fits one to everything the panel draws.</summary>
    public Axis? Y { get; init; }

    public AxisOptions YOptions { get; init; } = new();

    /// <summary>How many lines, highest final value first, are named at their right end.</summary>
    public int EndLabels { get; init; }

    /// <summary>Every value the panel would draw, for fitting an axis shared between panels.</summary>
    public IEnumerable<double> Values() =>
        Series.SelectMany(series => series.Points).Where(point => point.Y is not null).Select(point => point.Y!.Value)
            .Concat(RangeBands.SelectMany(band => band.Points).SelectMany(point => new[] { point.Low, point.High }))
            .Concat(LevelBands.SelectMany(band => new[] { band.Low, band.High }))
            .Concat(References.Select(reference => reference.Y));

    public bool HasData => Series.Any(series => series.Points.Any(point => point.Y is double y && (Y?.Shows(y) ?? Axis.IsPlottable(y))));

    public IReadOnlyList<string> Draw(SvgCanvas canvas, Area area)
    {
        Axis y = Y ?? Axis.Fit(Values(), YOptions with { TargetTicks = Math.Min(YOptions.TargetTicks, Math.Max(3, (int)(area.Height / PixelsPerTick))) });
        var epochs = Series.SelectMany(series => series.Points).Select(point => point.X)
            .Concat(RangeBands.SelectMany(band => band.Points).Select(point => point.X)).ToList();
        var x = LinearAxis.Counting(epochs.Min(), epochs.Max(), Math.Max(2, (int)(area.Width / 90)));
        var labelled = LabelledSeries(y);
        double rightMargin = labelled.Count == 0 ? 14 : labelled.Max(series => Palette.TextWidth(series.Label, 11)) + 22;
        var frame = PlotFrame.Within(area, y, bottomMargin: 42, rightMargin);
        double PixelX(double value) => frame.Plot.X + XInset + x.Fraction(value) * (frame.Plot.Width - 2 * XInset);

        frame.DrawFrame(canvas, area, Title, YTitle);
        DrawEpochAxis(canvas, frame.Plot, x, PixelX);
        foreach (LevelBand band in LevelBands.Where(band => y.Shows(band.Low) && y.Shows(band.High)))
        {
            double top = frame.PixelY(band.High), bottom = frame.PixelY(band.Low);
            canvas.Rectangle(frame.Plot.X, top, frame.Plot.Width, Math.Max(bottom - top, 1),
                $"class=\"{SvgCanvas.DataMark}\" fill=\"{band.Colour}\" fill-opacity=\"0.16\"", band.Tooltip);
        }
        foreach (RangeBand band in RangeBands)
        {
            DrawRangeBand(canvas, band, y, PixelX, frame.PixelY);
        }
        foreach (ReferenceLevel reference in References.Where(reference => y.Shows(reference.Y)))
        {
            double level = frame.PixelY(reference.Y);
            canvas.Line(frame.Plot.X, level, frame.Plot.Right, level, $"stroke=\"{Palette.Reference}\" stroke-width=\"1\" stroke-dasharray=\"1.5 3\"");
            canvas.Text(frame.Plot.Right - 4, level - 4, reference.Label, $"{Palette.SmallText} text-anchor=\"end\"");
        }
        var notDrawn = new List<string>();
        foreach (LineSeries series in Series)
        {
            if (DrawSeries(canvas, series, y, PixelX, frame.PixelY, markEveryPoint: series.Points.Count <= MostMarkedPoints && Series.Count <= MostMarkedSeries))
            {
                notDrawn.Add(series.Label);
            }
        }
        DrawEndLabels(canvas, labelled, frame);
        return notDrawn.Count == 0 ? [] : [NotDrawnNote(notDrawn, y)];
    }

    private static void DrawEpochAxis(SvgCanvas canvas, Area plot, Axis x, Func<double, double> pixelX)
    {
        foreach (Tick tick in x.Ticks)
        {
            double px = pixelX(tick.Value);
            canvas.Line(px, plot.Bottom, px, plot.Bottom + 5, $"stroke=\"{Palette.Axis}\" stroke-width=\"1\"");
            canvas.Text(px, plot.Bottom + 18, tick.Label!, $"{Palette.TickText} text-anchor=\"middle\"");
        }
        canvas.Text(plot.X + plot.Width / 2, plot.Bottom + 35, "epoch", $"{Palette.LabelText} text-anchor=\"middle\"");
    }

    /// <summary>Draws a line through each run of consecutive drawable points, with a marker on
    /// every point if asked (few lines of few points) and on any point alone between gaps.</summary>
    /// <returns>Whether some non-null values could not be placed on the axis.</returns>
    private static bool DrawSeries(SvgCanvas canvas, LineSeries series, Axis y, Func<double, double> pixelX, Func<double, double> pixelY, bool markEveryPoint)
    {
        string dash = series.Stroke == Stroke.Dashed ? " stroke-dasharray=\"7 4\"" : "";
        bool anyNotDrawn = false;
        foreach (var run in Runs(series.Points, y, ref anyNotDrawn))
        {
            if (run.Count > 1)
            {
                var path = new PathData().MoveTo(pixelX(run[0].X), pixelY(run[0].Y!.Value));
                foreach (DataPoint point in run.Skip(1))
                {
                    path.LineTo(pixelX(point.X), pixelY(point.Y!.Value));
                }
                canvas.Path(path, $"class=\"{SvgCanvas.DataMark}\" fill=\"none\" stroke=\"{series.Colour}\" stroke-width=\"1.7\" stroke-linejoin=\"round\"{dash}", series.Tooltip);
            }
            if (markEveryPoint || run.Count == 1)
            {
                foreach (DataPoint point in run)
                {
                    canvas.Circle(pixelX(point.X), pixelY(point.Y!.Value), 2.6, $"class=\"{SvgCanvas.DataMark}\" fill=\"{series.Colour}\"", series.Tooltip);
                }
            }
        }
        return anyNotDrawn;
    }

    private static void DrawRangeBand(SvgCanvas canvas, RangeBand band, Axis y, Func<double, double> pixelX, Func<double, double> pixelY)
    {
        var drawable = band.Points.Where(point => y.Shows(point.Low) && y.Shows(point.High)).ToList();
        if (drawable.Count < 2)
        {
            return;
        }
        var outline = new PathData().MoveTo(pixelX(drawable[0].X), pixelY(drawable[0].High));
        foreach (var point in drawable.Skip(1))
        {
            outline.LineTo(pixelX(point.X), pixelY(point.High));
        }
        foreach (var point in Enumerable.Reverse(drawable))
        {
            outline.LineTo(pixelX(point.X), pixelY(point.Low));
        }
        canvas.Path(outline.Close(), $"class=\"{SvgCanvas.DataMark}\" fill=\"{band.Colour}\" fill-opacity=\"0.18\" stroke=\"none\"", band.Tooltip);
    }

    private static List<List<DataPoint>> Runs(IReadOnlyList<DataPoint> points, Axis y, ref bool anyNotDrawn)
    {
        var runs = new List<List<DataPoint>>();
        List<DataPoint>? current = null;
        foreach (DataPoint point in points)
        {
            if (point.Y is double value && y.Shows(value))
            {
                current ??= [];
                current.Add(point);
                continue;
            }
            anyNotDrawn |= point.Y is not null;
            if (current is not null)
            {
                runs.Add(current);
                current = null;
            }
        }
        if (current is not null)
        {
            runs.Add(current);
        }
        return runs;
    }

    private List<LineSeries> LabelledSeries(Axis y) =>
        [.. Series
            .Select(series => (series, last: series.Points.LastOrDefault(point => point.Y is double value && y.Shows(value))))
            .Where(entry => entry.last.Y is not null)
            .OrderByDescending(entry => y.Fraction(entry.last.Y!.Value))
            .Take(EndLabels)
            .Select(entry => entry.series)];

    /// <summary>Names lines in the right margin, level with their last point, moved apart just
    /// enough not to overlap; a short leader in the margin (never over the data, where it could
    /// be read as a line) joins a moved label to its level.</summary>
    private static void DrawEndLabels(SvgCanvas canvas, List<LineSeries> labelled, PlotFrame frame)
    {
        var anchors = labelled
            .Select(series => (series, last: series.Points.Last(point => point.Y is double value && frame.Y.Shows(value))))
            .Select(entry => (entry.series, y: frame.PixelY(entry.last.Y!.Value)))
            .OrderBy(entry => entry.y)
            .ToList();
        var positions = anchors.Select(anchor => anchor.y).ToArray();
        for (int i = 1; i < positions.Length; i++)
        {
            positions[i] = Math.Max(positions[i], positions[i - 1] + EndLabelGap);
        }
        for (int i = positions.Length - 1; i >= 0; i--)
        {
            double limit = i == positions.Length - 1 ? frame.Plot.Bottom : positions[i + 1] - EndLabelGap;
            positions[i] = Math.Min(positions[i], limit);
        }
        for (int i = 0; i < anchors.Count; i++)
        {
            var (series, y) = anchors[i];
            canvas.Line(frame.Plot.Right + 1, y, frame.Plot.Right + 5, positions[i], $"stroke=\"{series.Colour}\" stroke-width=\"0.8\"");
            canvas.Text(frame.Plot.Right + 6, positions[i] + 4, series.Label, $"font-size=\"11\" fill=\"{series.Colour}\"");
        }
    }

    private static string NotDrawnNote(List<string> series, Axis y)
    {
        string which = series.Count <= 6 ? string.Join(", ", series) : string.Join(", ", series.Take(6)) + $" and {series.Count - 6} more";
        string reason = y.IsLog ? "not finite, beyond ±10³⁰⁰ or not positive on the log axis" : "not finite or beyond ±10³⁰⁰";
        return $"some values of {which} are not drawn ({reason}).";
    }
}
