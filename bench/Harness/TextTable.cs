namespace OrleansPigmm.Benchmarks.Harness;

/// <summary>A plain-text table with a header row; the first column is left-aligned, the others right-aligned.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    /// <summary>Adds a row; it must have one cell per header.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row needs {headers.Length} cells, got {cells.Length}.", nameof(cells));
        }
        rows.Add(cells);
    }

    /// <summary>Writes the table, columns padded to their widest cell.</summary>
    public void WriteTo(TextWriter output)
    {
        var widths = headers.Select((h, c) => rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        void Line(string[] cells) => output.WriteLine(string.Join("  ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        Line(headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in rows)
        {
            Line(row);
        }
    }
}
