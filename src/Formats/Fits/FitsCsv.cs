using System.Globalization;

namespace OrleansPigmm.Formats.Fits;

/// <summary>
/// fits.csv: the invariants of every fit of an experiment as one tidy table, one row per
/// (layer, epoch, invariant), for data-frame tools (pandas, R, spreadsheets).
/// </summary>
/// <remarks>
/// <para>Columns, in order:</para>
/// <list type="table">
/// <item><term>experiment</term><description>experiment id</description></item>
/// <item><term>layer</term><description>1-based analysed layer (empty when the fit names none)</description></item>
/// <item><term>epoch</term><description>0 = initialisation, then completed epochs (empty when the fit names none)</description></item>
/// <item><term>samples</term><description>matrices the fit was made from</description></item>
/// <item><term>n</term><description>matrix size</description></item>
/// <item><term>id</term><description>"I1".."I52" for the paper's invariants, "G{degree}.{ordinal}" for other graphs</description></item>
/// <item><term>spec</term><description>the graph, e.g. "ij,jk" (always quoted when it has a comma)</description></item>
/// <item><term>degree</term><description>number of factors of W</description></item>
/// <item><term>nodes</term><description>number of distinct letters (graph vertices)</description></item>
/// <item><term>mean</term><description>ensemble mean of the invariant</description></item>
/// <item><term>std</term><description>ensemble population standard deviation (1/N)</description></item>
/// <item><term>predicted</term><description>exact expectation under the fitted PIGMM</description></item>
/// <item><term>deviation</term><description>|predicted - mean| / std; empty when undefined (std = 0)</description></item>
/// <item><term>iid_deviation</term><description>I1..I13 only, when the initial law is known: |mean - E_iid| / sqrt(Var_iid / N); empty otherwise</description></item>
/// </list>
/// <para>
/// The 13 parameters, the Wasserstein distances and the training metrics are per fit or per
/// epoch, not per invariant, and stay in fits.json. The text follows RFC 4180: a header row,
/// CRLF line ends, and fields that hold a comma, a double quote, CR or LF enclosed in double
/// quotes with inner quotes doubled. Numbers are written in invariant culture in their shortest
/// round-trip form (parsing gives back the same double); non-finite values, which fits.json
/// cannot hold, are written NaN, Infinity and -Infinity. Rows follow the document's order of
/// fits and, within a fit, its order of invariants, so the same document gives the same bytes.
/// </para>
/// </remarks>
public static class FitsCsv
{
    /// <summary>The header row's column names, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["experiment", "layer", "epoch", "samples", "n", "id", "spec", "degree", "nodes", "mean", "std", "predicted", "deviation", "iid_deviation"];

    /// <summary>Writes the header and one row per invariant of every fit of <paramref name="document"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Write(ExperimentFitsDocument document, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        WriteRow(output, Columns);
        string experiment = Field(document.Experiment);
        foreach (FitDocument fit in document.Fits)
        {
            string layer = Integer(fit.Layer), epoch = Integer(fit.Epoch), samples = Integer(fit.Samples), n = Integer(fit.N);
            foreach (InvariantFit invariant in fit.Invariants)
            {
                WriteRow(output,
                [
                    experiment, layer, epoch, samples, n, Field(invariant.Id), Field(invariant.Spec),
                    Integer(invariant.Degree), Integer(invariant.Nodes), Number(invariant.Mean), Number(invariant.Std),
                    Number(invariant.Predicted), Number(invariant.Deviation), Number(invariant.IidDeviation),
                ]);
            }
        }
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                output.Write(',');
            }
            output.Write(fields[i]);
        }
        output.Write("\r\n");
    }

    /// <summary>A text field, quoted when RFC 4180 requires it.</summary>
    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string Integer(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
