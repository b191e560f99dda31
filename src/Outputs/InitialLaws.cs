using System.Text.Json;
using OrleansPigmm.Formats.Fits;

namespace OrleansPigmm.Outputs;

/// <summary>
/// The i.i.d. law of an analysed (square, n x n) layer's initial entries under each
/// initialisation scheme of the trainer, with fan-in = fan-out = n.
/// </summary>
public static class InitialLaws
{
    /// <summary>
    /// gaussian: N(0, 1/n); he: N(0, 2/n); uniform: U(-1/sqrt(n), 1/sqrt(n)), variance 1/(3n);
    /// xavier: U(-sqrt(3/n), sqrt(3/n)), variance 1/n; orthogonal and unknown schemes: null
    /// (the entries are not i.i.d.).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is less than 1.</exception>
    public static InitialLaw? Of(string? initScheme, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return initScheme switch
        {
            "gaussian" => new InitialLaw("gaussian", 1.0 / n),
            "he" => new InitialLaw("gaussian", 2.0 / n),
            "uniform" => new InitialLaw("uniform", 1.0 / (3.0 * n)),
            "xavier" => new InitialLaw("uniform", 1.0 / n),
            _ => null,
        };
    }

    /// <summary>The law for the <c>init</c> field of a spec (JSON object); null when the spec
    /// names no scheme or one whose entries are not i.i.d.</summary>
    public static InitialLaw? OfSpec(JsonElement spec, int n) =>
        spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("init", out var init) && init.ValueKind == JsonValueKind.String
            ? Of(init.GetString(), n)
            : null;
}
