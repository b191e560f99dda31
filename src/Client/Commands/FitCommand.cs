using System.CommandLine;
using System.Text.Json;
using OrleansPigmm.Formats;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Formats.Npy;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm fit</c>: fits a PIGMM to an ensemble of matrices stored as .npy and writes the fit as JSON.</summary>
internal static class FitCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var input = new Option<string>("--input") { Description = "A .npy array (R, n, n), or (R, E+1, L, n, n) snapshots with --epoch and --layer; float32 or float64, little-endian, C order.", Required = true };
        var outputPath = new Option<string?>("--output") { Description = "Write the fit to this JSON file instead of standard output." };
        var degree = new Option<int>("--degree") { Description = "Highest degree of the invariants reported, 2..4.", DefaultValueFactory = _ => 4 };
        var allGraphs = new Option<bool>("--all-graphs") { Description = "Report every graph invariant up to --degree (2, 11, 52 and 296 graphs of degree 1..4), not only the paper's I1..I52." };
        var epoch = new Option<int?>("--epoch") { Description = "For snapshots: the epoch (0 = initialisation)." };
        var layer = new Option<int?>("--layer") { Description = "For snapshots: the analysed layer, 1-based." };
        var command = new Command("fit", "Fit the 13-parameter PIGMM to an ensemble of square matrices and predict every invariant from the fit.")
        {
            input, outputPath, degree, allGraphs, epoch, layer,
        };
        command.SetAction(parsed => CommandFailure.Guard("fit", error, () =>
        {
            var catalogue = Catalogue(parsed.GetValue(degree), parsed.GetValue(allGraphs));
            using var ensemble = NpyEnsemble.Open(parsed.GetValue(input)!, parsed.GetValue(epoch), parsed.GetValue(layer));
            var document = Fit(ensemble, catalogue);
            JsonOutput.Write(document, parsed.GetValue(outputPath), output);
            return 0;
        }));
        return command;
    }

    private static InvariantCatalog Catalogue(int degree, bool allGraphs)
    {
        if (degree is < 2 or > 4)
        {
            throw new InputException($"--degree must be 2, 3 or 4 (the fit needs the quadratic invariants); got {degree}.");
        }
        return allGraphs ? InvariantCatalog.AllGraphs(degree) : InvariantCatalog.Paper(degree);
    }

    private static FitDocument Fit(NpyEnsemble ensemble, InvariantCatalog catalogue)
    {
        int n = ensemble.N;
        var accumulator = new InvariantAccumulator(catalogue.Key, catalogue.Count, n);
        var matrix = new double[n * n];
        var invariants = new double[catalogue.Count];
        var scratch = new double[catalogue.ScratchLength(n)];
        for (int replica = 0; replica < ensemble.Replicas; replica++)
        {
            ensemble.Read(replica, matrix);
            catalogue.Compute(matrix, n, invariants, scratch);
            accumulator.Add(invariants);
        }
        try
        {
            return new EnsembleAnalyzer(catalogue).Analyze(accumulator).Document;
        }
        catch (InvalidModelException invalid)
        {
            throw new InputException($"{ensemble.Description}: {invalid.Message}");
        }
    }
}

/// <summary>Writes a command's JSON result to a file (atomically) or to standard output.</summary>
internal static class JsonOutput
{
    public static void Write<T>(T document, string? path, TextWriter output)
    {
        string json = JsonSerializer.Serialize(document, FitsJson.Options);
        if (path is null)
        {
            output.WriteLine(json);
            return;
        }
        AtomicFile.WriteText(path, text => text.Write(json + Environment.NewLine));
    }
}
