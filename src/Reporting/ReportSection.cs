using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting;

/// <summary>A titled part of the page: its figures in order, and sentences standing in for
/// figures that had nothing to draw.</summary>
internal sealed class ReportSection(string id, string heading)
{
    public string Id { get; } = id;

    public string Heading { get; } = heading;

    public List<Figure> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    public void Add(Figure? figure, string whyMissing)
    {
        if (figure is null)
        {
            Notes.Add(whyMissing);
        }
        else
        {
            Figures.Add(figure);
        }
    }
}
