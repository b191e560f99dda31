
namespace OrleansPigmm.Reporting.Plotting;

/// <summary>Panels under an optional heading, laid out in rows of the figure's columns; a
/// panel with nothing to draw is replaced by a note.</summary>
internal sealed record PanelGroup(string? Heading, IReadOnlyList<IPanel> Panels);

/// <summary>
/// A numbered figure of the report: a title, one SVG holding a legend and a grid of panels, a
/// caption that says how to read it, and notes on anything that could not be drawn. Each panel
/// is a <c>g.panel</c> whose data marks carry the class <see cref="SvgCanvas.DataMark"/>, which
/// the page's check script counts.
/// </summary>
internal sealed class Figure
{
    private const double HeadingHeight = 24;

    public required string Id { get; init; }

    public required string Title { get; init; }

    /// <summary>How to read the figure, as HTML: text from the document must be escaped by the caller.</summary>
    public required string CaptionHtml { get; init; }

    public required IReadOnlyList<PanelGroup> Groups { get; init; }

    /// <summary>Whether any panel has something to draw; a figure without is not written.</summary>
    public bool HasData => Groups.Any(group => group.Panels.Any(panel => panel.HasData));

    public IReadOnlyList<LegendItem> Legend { get; init; } = [];

    public int Columns { get; init; } = 1;

    public double PanelWidth { get; init; } = 960;

    public double PanelHeight { get; init; } = 400;

    /// <summary>Notes known before drawing (gaps and their reasons).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public void Write(TextWriter output, int number)
    {
        double width = Columns * PanelWidth;
        var canvas = new SvgCanvas();
        Plotting.Legend.Draw(canvas, Legend, width);
        double y = Plotting.Legend.Height(Legend, width);
        var notes = new List<string>(Notes);
        foreach (PanelGroup group in Groups)
        {
            notes.AddRange(group.Panels.Where(panel => !panel.HasData).Select(panel => $"{panel.Title}: no value that can be drawn."));
            var panels = group.Panels.Where(panel => panel.HasData).ToList();
            if (panels.Count == 0)
            {
                continue;
            }
            if (group.Heading is not null)
            {
                canvas.Text(12, y + 17, group.Heading, "font-size=\"13\" font-style=\"italic\" fill=\"#333333\"");
                y += HeadingHeight;
            }
            for (int i = 0; i < panels.Count; i++)
            {
                IPanel panel = panels[i];
                var area = new Area(i % Columns * PanelWidth, y + i / Columns * PanelHeight, PanelWidth, PanelHeight);
                canvas.OpenGroup("class=\"panel\"");
                notes.AddRange(panel.Draw(canvas, area).Select(note => $"{panel.Title}: {note}"));
                canvas.CloseGroup();
            }
            y += (panels.Count + Columns - 1) / Columns * PanelHeight;
        }
        double height = y + 4;

        string title = Html.Escape(Title);
        output.Write($"<figure class=\"plot\" id=\"{Id}\">\n<h3>Figure {number}. {title}</h3>\n");
        output.Write($"<svg viewBox=\"0 0 {SvgCanvas.Number(width)} {SvgCanvas.Number(height)}\" width=\"{SvgCanvas.Number(width)}\" height=\"{SvgCanvas.Number(height)}\" role=\"img\" aria-label=\"{title}\" font-family=\"{HtmlPage.FontFamily}\">");
        output.Write(canvas.ToString());
        output.Write("</svg>\n");
        output.Write($"<figcaption>{CaptionHtml}</figcaption>\n");
        if (notes.Count > 0)
        {
            output.Write("<ul class=\"notes\">");
            foreach (string note in notes)
            {
                output.Write($"<li>{Html.Escape(note)}</li>");
            }
            output.Write("</ul>\n");
        }
        output.Write("</figure>\n");
    }
}
