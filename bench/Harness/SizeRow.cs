namespace OrleansPigmm.Benchmarks.Harness;

/// <summary>A timing with the name of what was timed.</summary>
public sealed record NamedTiming(string Name, Timing Timing);

/// <summary>A ratio of two timings measured in the same run, and the most it should be.</summary>
public sealed record TargetRatio(string Name, double Value, double Target)
{
    /// <summary>Whether the ratio is within its target.</summary>
    public bool Met => Value <= Target;
}

/// <summary>
/// The figures of a benchmark at one problem size n: named timings and ratios, in column order.
/// Scenarios (or later additions to one) append their own figures, so a row grows new columns
/// without changing its type.
/// </summary>
public sealed class SizeRow(int n)
{
    /// <summary>The problem size.</summary>
    public int N { get; } = n;

    /// <summary>Timings, in column order.</summary>
    public List<NamedTiming> Timings { get; } = [];

    /// <summary>Ratios, in column order after the timings.</summary>
    public List<TargetRatio> Ratios { get; } = [];

    /// <summary>The timing called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No timing has that name.</exception>
    public Timing this[string name] =>
        Timings.Find(t => t.Name == name)?.Timing ?? throw new KeyNotFoundException($"No timing '{name}' at n = {N}.");

    /// <summary>
    /// A table with one line per row: n, the median of every timing, then every ratio as
    /// "value" with its target in the header (a ratio over its target is marked "over").
    /// Columns are those of the first row; every row must have the same names.
    /// </summary>
    public static TextTable Tabulate(IReadOnlyList<SizeRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("A table needs at least one row.", nameof(rows));
        }
        var headers = new List<string> { "n" };
        headers.AddRange(rows[0].Timings.Select(t => t.Name));
        headers.AddRange(rows[0].Ratios.Select(r => $"{r.Name} (<= {Units.Ratio(r.Target)})"));
        var table = new TextTable([.. headers]);
        foreach (var row in rows)
        {
            var cells = new List<string> { row.N.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            cells.AddRange(row.Timings.Select(t => t.Timing.ToString()));
            cells.AddRange(row.Ratios.Select(r => Units.Ratio(r.Value) + (r.Met ? "" : " over")));
            table.Add([.. cells]);
        }
        return table;
    }
}
