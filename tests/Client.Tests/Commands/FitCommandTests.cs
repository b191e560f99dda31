using System.Text.Json;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Formats.Npy;

namespace OrleansPigmm.Client.Tests.Commands;

public class FitCommandTests
{
    private const string Ensemble = "sin-ensemble-f8.npy";

    [Fact]
    public void FitsTheEnsembleAndPredictsEveryPaperInvariant()
    {
        var result = Cli.Run("fit", "--input", Cli.Data(Ensemble));

        Assert.Equal(0, result.ExitCode);
        using var fit = JsonDocument.Parse(result.Output);
        var root = fit.RootElement;
        Assert.Equal(4, root.GetProperty("n").GetInt32());
        Assert.Equal(5, root.GetProperty("samples").GetInt32());
        Assert.Equal(13, root.GetProperty("params").GetArrayLength());
        var invariants = root.GetProperty("invariants").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(1, 52).Select(k => $"I{k}"), invariants.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("ij,jk", invariants[8].GetProperty("spec").GetString());
        Assert.Equal(new[] { 2, 11, 15, 24 }, invariants.GroupBy(i => i.GetProperty("degree").GetInt32()).Select(g => g.Count()));
        foreach (var quadratic in invariants.Take(13))
        {
            // The fit reproduces the ensemble means of I1..I13 (pigmm-math.md section 6).
            double mean = quadratic.GetProperty("mean").GetDouble();
            double predicted = quadratic.GetProperty("predicted").GetDouble();
            Assert.True(Math.Abs(predicted - mean) <= 1e-9 * (1 + Math.Abs(mean)), $"{quadratic}");
        }
        Assert.All(invariants.Skip(13), i => Assert.True(i.GetProperty("std").GetDouble() > 0 && i.GetProperty("deviation").GetDouble() >= 0));
    }

    [Theory]
    [InlineData(2, false, 13)]
    [InlineData(3, false, 28)]
    [InlineData(4, true, 2 + 11 + 52 + 296)]
    public void DegreeAndAllGraphsChooseTheInvariants(int degree, bool allGraphs, int count)
    {
        var args = new List<string> { "fit", "--input", Cli.Data(Ensemble), "--degree", $"{degree}" };
        if (allGraphs)
        {
            args.Add("--all-graphs");
        }

        var result = Cli.Run([.. args]);

        Assert.Equal(0, result.ExitCode);
        using var fit = JsonDocument.Parse(result.Output);
        Assert.Equal(count, fit.RootElement.GetProperty("invariants").GetArrayLength());
    }

    [Fact]
    public void WritesTheOutputFileInsteadOfStandardOutput()
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("fit.json");

        var toFile = Cli.Run("fit", "--input", Cli.Data(Ensemble), "--output", path);
        var toConsole = Cli.Run("fit", "--input", Cli.Data(Ensemble));

        Assert.Equal(0, toFile.ExitCode);
        Assert.Equal("", toFile.Output);
        Assert.Equal(toConsole.Output, File.ReadAllText(path));
    }

    [Fact]
    public void SelectsOneEnsembleOfASnapshotsArray()
    {
        using var directory = new TemporaryDirectory();
        var matrices = ReadAll(Cli.Data(Ensemble), out int replicas, out int n);
        // (R, E+1 = 3, L = 2, n, n): the ensemble sits at epoch 1, layer 2; every other slot holds noise.
        string snapshots = directory.File("snapshots.npy");
        var random = new Random(7);
        using (var writer = NpyWriter.Create(snapshots, NpyElementType.Float64, [replicas, 3, 2, n, n]))
        {
            for (int r = 0; r < replicas; r++)
            {
                for (int slot = 0; slot < 6; slot++)
                {
                    writer.Write(slot == 1 * 2 + 1 ? matrices[r] : Enumerable.Range(0, n * n).Select(_ => random.NextDouble()).ToArray());
                }
            }
            writer.Complete();
        }

        var selected = Cli.Run("fit", "--input", snapshots, "--epoch", "1", "--layer", "2");
        var direct = Cli.Run("fit", "--input", Cli.Data(Ensemble));

        Assert.Equal(0, selected.ExitCode);
        Assert.Equal(direct.Output, selected.Output);
        Assert.Contains("--epoch (0..2) and --layer (1..2)", Cli.Run("fit", "--input", snapshots).AssertBadInput("fit"));
        Assert.Contains("--epoch 3 is outside them", Cli.Run("fit", "--input", snapshots, "--epoch", "3", "--layer", "1").AssertBadInput("fit"));
        Assert.Contains("--layer 0 is outside them", Cli.Run("fit", "--input", snapshots, "--epoch", "0", "--layer", "0").AssertBadInput("fit"));
    }

    [Theory]
    [InlineData("not-npy.npy", "is not a NumPy .npy file")]
    [InlineData("truncated.npy", "is truncated")]
    [InlineData("int32.npy", "only float32 ('<f4') and float64 ('<f8') are supported")]
    [InlineData("big-endian.npy", "is big-endian")]
    [InlineData("fortran-order.npy", "Fortran order")]
    public void RefusesUnsupportedFiles(string fixture, string expected)
    {
        var line = Cli.Run("fit", "--input", Cli.Data(fixture)).AssertBadInput("fit");

        Assert.Contains(fixture, line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void RefusesAMissingFile()
    {
        using var directory = new TemporaryDirectory();

        var line = Cli.Run("fit", "--input", directory.File("absent.npy")).AssertBadInput("fit");

        Assert.Contains("absent.npy", line);
    }

    [Theory]
    [InlineData(new long[] { 5, 16 }, "expected (R, n, n) matrices")]
    [InlineData(new long[] { 5, 4, 5 }, "are not square")]
    [InlineData(new long[] { 5, 3, 3 }, "need n >= 4")]
    [InlineData(new long[] { 1, 4, 4 }, "at least 2 matrices")]
    public void RefusesEnsemblesOfTheWrongShape(long[] shape, string expected)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("shape.npy");
        WriteNoise(path, shape);

        Assert.Contains(expected, Cli.Run("fit", "--input", path).AssertBadInput("fit"));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "infinite")]
    public void ReportsWhereANonFiniteEntryIs(double bad, string kind)
    {
        using var directory = new TemporaryDirectory();
        string path = directory.File("nonfinite.npy");
        var matrices = ReadAll(Cli.Data(Ensemble), out int replicas, out int n);
        matrices[2][1 * n + 3] = bad;
        Write(path, matrices, n);

        var line = Cli.Run("fit", "--input", path).AssertBadInput("fit");

        Assert.Contains($"matrix 2 has a {kind} entry at [1][3]", line);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("5")]
    public void RefusesADegreeOutsideTwoToFour(string degree)
    {
        Assert.Contains("--degree must be 2, 3 or 4", Cli.Run("fit", "--input", Cli.Data(Ensemble), "--degree", degree).AssertBadInput("fit"));
    }

    internal static double[][] ReadAll(string path, out int replicas, out int n)
    {
        using var ensemble = NpyEnsemble.Open(path);
        replicas = ensemble.Replicas;
        n = ensemble.N;
        var matrices = new double[replicas][];
        for (int r = 0; r < replicas; r++)
        {
            matrices[r] = new double[n * n];
            ensemble.Read(r, matrices[r]);
        }
        return matrices;
    }

    internal static void Write(string path, IReadOnlyList<double[]> matrices, int n)
    {
        using var writer = NpyWriter.Create(path, NpyElementType.Float64, [matrices.Count, n, n]);
        foreach (var matrix in matrices)
        {
            writer.Write(matrix);
        }
        writer.Complete();
    }

    private static void WriteNoise(string path, long[] shape)
    {
        var random = new Random(11);
        using var writer = NpyWriter.Create(path, NpyElementType.Float64, shape);
        writer.Write(Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.NextDouble()).ToArray());
        writer.Complete();
    }
}
