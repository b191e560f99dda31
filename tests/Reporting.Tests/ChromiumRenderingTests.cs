using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OrleansPigmm.Reporting.Tests;

/// <summary>
/// Renders report.html in headless Chromium: the page's own script counts the figures whose
/// panels drew visible data marks, and the count must equal the number of figures written. A
/// screenshot of each page is left in the test output folder (rendered-reports/) to look at.
/// </summary>
public sealed class ChromiumRenderingTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Theory]
    [MemberData(nameof(ReportDocuments.Names), MemberType = typeof(ReportDocuments))]
    public void Every_figure_draws_in_a_browser(string name)
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing; it is needed to check that report.html renders. Install it with `apt-get install -y chromium` "
            + "(the project's test script installs it).");
        string folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "rendered-reports")).FullName;
        string page = Path.Combine(folder, $"{name}.html");
        File.WriteAllText(page, ReportDocuments.Render(ReportDocuments.Named(name)));
        string url = new Uri(page).AbsoluteUri;

        string dom = RunChromium("--dump-dom", url);
        string screenshot = Path.Combine(folder, $"{name}.png");
        File.Delete(screenshot);
        RunChromium($"--screenshot={screenshot}", "--window-size=1400,4000", url);

        string expected = Regex.Match(dom, "data-plots-expected=\"(\\d+)\"").Groups[1].Value;
        string drawn = Regex.Match(dom, "data-plots-drawn=\"(\\d+)\"").Groups[1].Value;
        Assert.NotEqual("", expected);
        Assert.True(drawn != "", "The page's check script did not run: <body> has no data-plots-drawn.");
        Assert.Equal(expected, drawn);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"The screenshot {screenshot} is missing or blank.");
    }

    /// <summary>Runs headless Chromium with a throwaway profile and nothing reaching the network; returns its standard output.</summary>
    private static string RunChromium(params string[] arguments)
    {
        string profile = Directory.CreateTempSubdirectory("report-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string flag in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}",
                "--virtual-time-budget=3000", .. arguments])
            {
                start.ArgumentList.Add(flag);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"Chromium did not finish within {Patience}: {string.Join(' ', arguments)}");
            }
            Assert.True(process.ExitCode == 0, $"Chromium exited with {process.ExitCode}: {errors.Result}");
            return output.Result;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
