using System.Text.RegularExpressions;
using OrleansPigmm.Reporting.Plotting;

namespace OrleansPigmm.Reporting.Tests.Plotting;

public sealed class LinePanelTests
{
    private static (string Svg, IReadOnlyList<string> Notes) Draw(params DataPoint[] points)
    {
        var panel = new LinePanel
        {
            Title = "panel",
            YTitle = "value",
            Series = [new LineSeries("s", "#000000", Stroke.Solid, points, "s")],
        };
        var canvas = new SvgCanvas();
        var notes = panel.Draw(canvas, new Area(0, 0, 600, 300));
        return (canvas.ToString(), notes);
    }

    private static int Count(string svg, string element) => Regex.Matches(svg, $"<{element} [^>]*class=\"mark\"").Count;

    [Fact]
    public void A_gap_breaks_the_line_and_a_point_alone_between_gaps_gets_a_marker()
    {
        var points = Enumerable.Range(0, 30).Select(epoch => new DataPoint(epoch, epoch is 10 or 12 ? null : epoch * 0.1)).ToArray();

        var (svg, notes) = Draw(points);

        Assert.Equal(2, Count(svg, "path"));
        Assert.Equal(1, Count(svg, "circle"));
        Assert.Empty(notes);
    }

    [Fact]
    public void Few_points_are_all_marked()
    {
        var (svg, _) = Draw(new DataPoint(0, 1), new DataPoint(1, 2), new DataPoint(2, 1.5));

        Assert.Equal(1, Count(svg, "path"));
        Assert.Equal(3, Count(svg, "circle"));
    }

    [Fact]
    public void Values_that_cannot_be_drawn_become_gaps_with_a_note()
    {
        var (svg, notes) = Draw(new DataPoint(0, 1), new DataPoint(1, double.NaN), new DataPoint(2, double.PositiveInfinity), new DataPoint(3, 2));

        Assert.Equal(2, Count(svg, "circle"));
        Assert.Equal(0, Count(svg, "path"));
        Assert.Equal(["some values of s are not drawn (not finite or beyond ±10³⁰⁰)."], notes);
    }
}
