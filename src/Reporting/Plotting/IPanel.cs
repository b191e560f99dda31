namespace OrleansPigmm.Reporting.Plotting;

/// <summary>A panel a figure lays out and draws.</summary>
internal interface IPanel
{
    string Title { get; }

    /// <summary>Whether anything can be drawn: at least one value the panel's axis can place.</summary>
    bool HasData { get; }

    /// <summary>Draws the panel inside <paramref name="area"/>.</summary>
    /// <returns>Notes for the reader about what could not be drawn.</returns>
    IReadOnlyList<string> Draw(SvgCanvas canvas, Area area);
}
