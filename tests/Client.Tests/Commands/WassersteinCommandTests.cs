using System.Text.Json;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Client.Tests.Commands;

public class WassersteinCommandTests
{
    private static readonly double[] Reference = [0.3, -0.2, 0.05, 0.01, 0.04, 0.03, 0.005, -0.004, 0.025, 0.002, 0.02, 0.015, 0.01];

    [Fact]
    public void PrintsTheClosedFormDistanceBetweenTwoFits()
    {
        using var directory = new TemporaryDirectory();
        string a = WriteFit(directory, "a.json", 10, Reference);
        var shifted = Reference.Select((f, k) => k == 0 ? f + 0.5 : f * 1.5).ToArray();
        string b = WriteFit(directory, "b.json", 10, shifted);

        var result = Cli.Run("wasserstein", a, b);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        double squared = Wasserstein.SquaredDistance(Model(10, Reference), Model(10, shifted));
        Assert.Equal(squared, json.RootElement.GetProperty("w2_squared").GetDouble());
        Assert.Equal(Math.Sqrt(squared), json.RootElement.GetProperty("w2").GetDouble());
        Assert.True(squared > 0);
    }

    [Fact]
    public void AFitIsAtDistanceZeroFromItselfAndFitOutputIsAccepted()
    {
        using var directory = new TemporaryDirectory();
        string fit = directory.File("fit.json");
        Assert.Equal(0, Cli.Run("fit", "--input", Cli.Data("sin-ensemble-f8.npy"), "--output", fit).ExitCode);

        var result = Cli.Run("wasserstein", fit, fit);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        // Zero up to the rounding of the matrix square roots in the closed form (section 9).
        double squared = json.RootElement.GetProperty("w2_squared").GetDouble();
        Assert.InRange(squared, -1e-12, 1e-12);
        Assert.Equal(Math.Sqrt(Math.Max(squared, 0)), json.RootElement.GetProperty("w2").GetDouble());
    }

    [Fact]
    public void RefusesFitsOfDifferentSizes()
    {
        using var directory = new TemporaryDirectory();

        var line = Cli.Run("wasserstein", WriteFit(directory, "a.json", 10, Reference), WriteFit(directory, "b.json", 12, Reference)).AssertBadInput("wasserstein");

        Assert.Contains("10 x 10", line);
        Assert.Contains("12 x 12", line);
    }

    [Theory]
    [InlineData("{ \"n\": 10 ", "is not a fit document")]
    [InlineData("{ \"n\": 10 }", "is not a fit document")]
    [InlineData("{ \"n\": 10, \"params\": [1, 2] }", "params must hold the 13 numbers")]
    [InlineData("{ \"n\": 3, \"params\": [0.3, -0.2, 0.05, 0.01, 0.04, 0.03, 0.005, -0.004, 0.025, 0.002, 0.02, 0.015, 0.01] }", "n must be at least 4")]
    [InlineData("{ \"n\": 10, \"params\": [0.3, -0.2, 0.05, 0.01, 0.04, 0.03, 0.005, -0.004, 0.025, 0.002, 0.02, 0.015, -1] }", "f13")]
    [InlineData("null", "holds null")]
    public void RefusesDocumentsThatAreNotValidFits(string text, string expected)
    {
        using var directory = new TemporaryDirectory();
        string bad = directory.File("bad.json");
        File.WriteAllText(bad, text);

        var line = Cli.Run("wasserstein", WriteFit(directory, "good.json", 10, Reference), bad).AssertBadInput("wasserstein");

        Assert.Contains("bad.json", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void RefusesAMissingFile()
    {
        using var directory = new TemporaryDirectory();

        Assert.Contains("absent.json", Cli.Run("wasserstein", directory.File("absent.json"), directory.File("absent.json")).AssertBadInput("wasserstein"));
    }

    private static PigmmModel Model(int n, double[] parameters) => new(n, PigmmParameters.FromArray(parameters));

    private static string WriteFit(TemporaryDirectory directory, string name, int n, double[] parameters)
    {
        string path = directory.File(name);
        File.WriteAllText(path, JsonSerializer.Serialize(new { n, samples = 100, @params = parameters }));
        return path;
    }
}
