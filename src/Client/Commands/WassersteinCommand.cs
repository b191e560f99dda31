using System.CommandLine;
using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm wasserstein</c>: the 2-Wasserstein distance between two fitted PIGMMs.</summary>
internal static class WassersteinCommand
{
    /// <summary>The part of a fit document the distance needs.</summary>
    private sealed record FittedModel(int N, IReadOnlyList<double> Params);

    /// <summary>The command's output, e.g. { "w2": 0.12, "w2_squared": 0.0144 }.</summary>
    private sealed record Distance(double W2, double W2Squared);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var first = new Argument<string>("A.json") { Description = "A fit written by `pigmm fit`." };
        var second = new Argument<string>("B.json") { Description = "Another fit of the same matrix size n." };
        var command = new Command("wasserstein", "Print the 2-Wasserstein distance W2 and its square between two fitted PIGMMs (closed form, pigmm-math.md section 9).")
        {
            first, second,
        };
        command.SetAction(parsed => CommandFailure.Guard("wasserstein", error, () =>
        {
            string pathA = parsed.GetValue(first)!, pathB = parsed.GetValue(second)!;
            var a = Load(pathA);
            var b = Load(pathB);
            if (a.N != b.N)
            {
                throw new InputException($"{pathA} is a fit of {a.N} x {a.N} matrices and {pathB} of {b.N} x {b.N}; W2 compares fits of the same n.");
            }
            JsonOutput.Write(new Distance(Wasserstein.Distance(a, b), Wasserstein.SquaredDistance(a, b)), path: null, output);
            return 0;
        }));
        return command;
    }

    private static PigmmModel Load(string path)
    {
        FittedModel? fit;
        try
        {
            fit = JsonSerializer.Deserialize<FittedModel>(File.ReadAllText(path), FitsJson.Options);
        }
        catch (JsonException invalid)
        {
            throw new InputException($"{path} is not a fit document: {invalid.Message}");
        }
        if (fit is null)
        {
            throw new InputException($"{path} is not a fit document: it holds null.");
        }
        if (fit.N < 4)
        {
            throw new InputException($"{path}: n must be at least 4; got {fit.N}.");
        }
        if (fit.Params.Count != PigmmParameters.Count)
        {
            throw new InputException($"{path}: params must hold the {PigmmParameters.Count} numbers f1..f{PigmmParameters.Count}; it holds {fit.Params.Count}.");
        }
        try
        {
            return new PigmmModel(fit.N, PigmmParameters.FromArray(fit.Params.ToArray()));
        }
        catch (InvalidModelException invalid)
        {
            throw new InputException($"{path}: {invalid.Message}");
        }
    }
}
