using System.Globalization;
using System.Text.RegularExpressions;
using OrleansPigmm.Formats.Fits;

namespace OrleansPigmm.Reporting.Tests;

public sealed partial class HtmlReportTests
{
    private static readonly string CompletePage = ReportDocuments.Render(ReportDocuments.Complete());

    [GeneratedRegex("<svg[\\s\\S]*?</svg>")]
    private static partial Regex SvgElement();

    [GeneratedRegex("\\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)=\"([^\"]*)\"")]
    private static partial Regex CoordinateAttribute();

    [GeneratedRegex("\\sd=\"([^\"]*)\"")]
    private static partial Regex PathAttribute();

    [GeneratedRegex("<figure class=\"plot\" id=\"([^\"]+)\"")]
    private static partial Regex FigureId();

    private static List<string> Figures(string page) => [.. FigureId().Matches(page).Select(match => match.Groups[1].Value)];

    private static int Expected(string page) =>
        int.Parse(Regex.Match(page, "data-plots-expected=\"(\\d+)\"").Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The text of the figure with this id, up to its closing tag.</summary>
    private static string Figure(string page, string id)
    {
        int start = page.IndexOf($"<figure class=\"plot\" id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No figure {id}.");
        return page[start..(page.IndexOf("</figure>", start, StringComparison.Ordinal) + 9)];
    }

    [Fact]
    public void The_page_is_self_contained()
    {
        Assert.StartsWith("<!DOCTYPE html>", CompletePage);
        Assert.DoesNotMatch("(?i)https?://", CompletePage);
        Assert.DoesNotMatch("(?i)<script[^>]*\\ssrc\\s*=", CompletePage);
        Assert.DoesNotMatch("(?i)<link\\b|@import|url\\(|<img\\b|<iframe\\b", CompletePage);
        Assert.Single(Regex.Matches(CompletePage, "<script>"));
    }

    [Fact]
    public void A_complete_experiment_has_every_figure_of_the_paper_and_more()
    {
        string[] expected =
        [
            "training", "wasserstein", "normalised-change",
            "model-deviation-L1", "iid-deviation-L1", "parameters-L1",
            "model-deviation-L2", "iid-deviation-L2", "parameters-L2",
            "model-deviation-L3", "iid-deviation-L3", "parameters-L3",
        ];

        Assert.Equal(expected, Figures(CompletePage));
        Assert.Equal(expected.Length, Expected(CompletePage));
        Assert.Equal(expected.Length, Regex.Matches(CompletePage, "<h3>Figure \\d+\\. ").Count);
    }

    [Theory]
    [InlineData("model-deviation-L2", new[] { "deviation (ensemble s.d.) — log scale", "epoch", "low-node cubic (1–2 nodes)", "high-node quartic (7–8 nodes)", "1/√N" })]
    [InlineData("iid-deviation-L1", new[] { "deviation (standard errors)", "epoch", "I1 ii", "I13 ii,jk", "1 standard error" })]
    [InlineData("parameters-L3", new[] { "f1 = E[x₁]", "f13 = Λ_V3⁻¹", "covariance (weight²)", "epoch-0 value ± 2 s.d. of initialisation noise" })]
    [InlineData("wasserstein", new[] { "W₂² (weight²) — log scale", "W₂ (weight)", "from the previous epoch (right)", "L3" })]
    [InlineData("normalised-change", new[] { "normalised change", "L1: epoch 10 against epoch 0", "I52", "low-node quartic (1–2 nodes)" })]
    [InlineData("training", new[] { "test accuracy (%)", "train loss (nats)", "lowest to highest replica" })]
    public void Each_figure_has_its_titles_axis_titles_and_legend(string id, string[] texts)
    {
        string figure = Figure(CompletePage, id);

        Assert.All(texts, text => Assert.Contains($">{text}<", figure));
        Assert.Contains("<figcaption>", figure);
    }

    [Fact]
    public void Deviations_spanning_decades_are_on_a_labelled_log_axis_shared_by_the_layers()
    {
        var axes = new[] { "L1", "L2", "L3" }.Select(layer => Figure(CompletePage, $"model-deviation-{layer}")).ToList();

        Assert.All(axes, figure => Assert.Contains("deviation (ensemble s.d.) — log scale", figure));
        var ticks = axes.Select(figure => string.Join("|", Regex.Matches(figure, "text-anchor=\"end\">([^<]+)</text>").Select(match => match.Groups[1].Value))).ToList();
        Assert.All(ticks, labels => Assert.Equal(ticks[0], labels));
    }

    [Fact]
    public void Lines_name_their_invariant_and_the_largest_are_labelled_at_their_end()
    {
        string figure = Figure(CompletePage, "model-deviation-L3");

        Assert.Contains("<title>I22 = ij,ij,ij (cubic, 2 nodes)</title>", figure);
        Assert.Contains("<title>I52 = ij,kl,mn,op (quartic, 8 nodes)</title>", figure);
        Assert.Equal(5, Regex.Matches(figure, "<text [^>]*font-size=\"11\" fill=\"#[0-9A-F]{6}\">I\\d+</text>").Count);
    }

    [Theory]
    [MemberData(nameof(ReportDocuments.Names), MemberType = typeof(ReportDocuments))]
    public void No_figure_holds_a_coordinate_that_is_not_a_finite_number(string document)
    {
        string page = ReportDocuments.Render(ReportDocuments.Named(document));

        var svgs = SvgElement().Matches(page).Select(match => match.Value).ToList();
        Assert.Equal(Expected(page), svgs.Count);
        foreach (string svg in svgs)
        {
            Assert.DoesNotMatch("NaN|Infinity|∞", svg);
            var numbers = CoordinateAttribute().Matches(svg).Select(match => match.Groups[1].Value)
                .Concat(PathAttribute().Matches(svg).SelectMany(match => match.Groups[1].Value.Split(['M', 'L', 'Z', ' '], StringSplitOptions.RemoveEmptyEntries)))
                .ToList();
            Assert.NotEmpty(numbers);
            Assert.All(numbers, number => Assert.True(
                double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && Math.Abs(value) < 1e5,
                $"Coordinate \"{number}\" is not a finite number on the page."));
        }
    }

    [Fact]
    public void Values_that_cannot_be_drawn_are_left_out_and_named()
    {
        string page = ReportDocuments.Render(ReportDocuments.Extreme());

        Assert.Contains("some values of I23, I24 are not drawn (not finite, beyond ±10³⁰⁰ or not positive on the log axis).", Figure(page, "model-deviation-L1"));
        Assert.Contains("some values of I30 are not drawn", Figure(page, "model-deviation-L2"));
        Assert.Contains("some values of I5 are not drawn", Figure(page, "iid-deviation-L3"));
        Assert.Contains("<li>f1 = E[x₁]: no value that can be drawn.</li><li>f2 = E[x₂]: no value that can be drawn.</li>", Figure(page, "parameters-L3"));
        Assert.Contains("some values of L3 are not drawn", Figure(page, "wasserstein"));
        Assert.Contains("Training loss: some values of mean train loss are not drawn", Figure(page, "training"));
    }

    [Fact]
    public void A_single_epoch_draws_what_exists_and_says_what_needs_more_epochs()
    {
        string page = ReportDocuments.Render(ReportDocuments.SingleEpoch());

        Assert.Equal(["wasserstein", "model-deviation-L1", "iid-deviation-L1", "parameters-L1", "model-deviation-L2",
            "iid-deviation-L2", "parameters-L2", "model-deviation-L3", "iid-deviation-L3", "parameters-L3"], Figures(page));
        Assert.Contains("No training curves: no epoch has completed yet.", page);
        Assert.Contains("No normalised change: it compares the first and the last epoch fitted, and there are not two yet.", page);
        Assert.Contains("No distances between epochs yet", Figure(page, "wasserstein"));
        Assert.Contains("<tr><th>Epochs fitted</th><td>0 only</td></tr>", page);
    }

    [Fact]
    public void An_experiment_without_fits_yet_gets_a_page_that_says_so()
    {
        var document = ReportDocuments.Complete() with { Fits = [], Training = new TrainingHistory(1000, []) };

        string page = ReportDocuments.Render(document);

        Assert.Empty(Figures(page));
        Assert.Equal(0, Expected(page));
        Assert.Contains("<tr><th>Epochs fitted</th><td>none yet</td></tr>", page);
        Assert.Contains("No training curves: no epoch has completed yet.", page);
        Assert.Contains("No Wasserstein distances: the fits carry none yet.", page);
    }

    [Fact]
    public void Without_an_initial_law_the_comparisons_with_it_are_left_out_and_the_page_says_why()
    {
        string page = ReportDocuments.Render(ReportDocuments.InProgressWithoutLaw());

        Assert.DoesNotContain(Figures(page), id => id.StartsWith("iid-deviation", StringComparison.Ordinal));
        Assert.Equal(3, Regex.Matches(page, "No deviations from the initial law: the initial entries are not i.i.d.").Count);
        Assert.Equal(3, Regex.Matches(page, "No noise band: the initial entries are not i.i.d.").Count);
        Assert.Contains("No distance to the simple Gaussian", Figure(page, "wasserstein"));
        Assert.DoesNotContain("fill-opacity=\"0.16\"", Figure(page, "parameters-L1"));
        Assert.Contains("fill-opacity=\"0.16\"", Figure(CompletePage, "parameters-L1"));
    }

    [Fact]
    public void Fits_still_in_progress_are_announced()
    {
        string page = ReportDocuments.Render(ReportDocuments.InProgressWithoutLaw());

        Assert.Contains("Fits in progress — these use fewer matrices than there are replicas, and their points will still move: L2 epoch 10 (640 of 1000 replicas).", page);
        Assert.Contains("Epoch 10 is still running: 640 of 1000 replicas have completed it.", Figure(page, "training"));
        Assert.Contains("Every fit uses all 1000 replicas that have not diverged.", CompletePage);
    }

    [Fact]
    public void Undefined_deviations_are_gaps_with_a_note()
    {
        string figure = Figure(CompletePage, "model-deviation-L2");

        Assert.Contains("Undefined deviations (zero ensemble standard deviation) leave gaps in the lines: I14 at epochs 0–2.", figure);
        Assert.Contains("<li>Hollow circles mark invariants without a bar (a deviation is undefined or not finite, or both are 0): L2: I14.</li>", Figure(CompletePage, "normalised-change"));
        Assert.DoesNotContain("leave gaps", Figure(CompletePage, "model-deviation-L1"));
    }

    [Fact]
    public void The_header_summarises_the_experiment_and_its_spec()
    {
        Assert.Contains("<tr><th>Replicas</th><td>1000</td></tr>", CompletePage);
        Assert.Contains("<tr><th>Analysed layers</th><td>L1 (10 × 10), L2 (10 × 10), L3 (10 × 10)</td></tr>", CompletePage);
        Assert.Contains("<tr><th>Epochs fitted</th><td>0–10 (11 snapshots per layer)</td></tr>", CompletePage);
        Assert.Contains("<tr><th>Initial law</th><td>Gaussian N(0, 0.1)</td></tr>", CompletePage);
        Assert.Contains("<tr><th>optimiser.learning_rate</th><td>0.001</td></tr>", CompletePage);
        Assert.Contains("<tr><th>widths</th><td>784, 10, 10, 10, 10</td></tr>", CompletePage);
        Assert.Contains("<dt>Model deviation (I14–I52)</dt>", CompletePage);
    }

    [Fact]
    public void Equal_documents_give_the_same_page()
    {
        Assert.Equal(CompletePage, ReportDocuments.Render(ReportDocuments.Complete()));
    }
}
