using System.Globalization;
using System.Text;
using OrleansPigmm.Formats.Fits;

namespace OrleansPigmm.Formats.Tests.Fits;

public sealed class FitsCsvTests
{
    private static string Csv(ExperimentFitsDocument document)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        FitsCsv.Write(document, text);
        return text.ToString();
    }

    /// <summary>Splits RFC 4180 text into records of fields: quoted fields may hold commas,
    /// doubled quotes and line breaks; records end with CRLF.</summary>
    private static List<List<string>> Parse(string csv)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < csv.Length; i++)
        {
            char c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, $"A quote inside an unquoted field at offset {i}.");
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r')
            {
                Assert.True(i + 1 < csv.Length && csv[i + 1] == '\n', $"A CR without LF at offset {i}.");
                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
                i++;
            }
            else
            {
                Assert.True(c != '\n', $"A bare LF outside quotes at offset {i}.");
                field.Append(c);
            }
        }
        Assert.False(quoted, "The text ends inside a quoted field.");
        Assert.True(field.Length == 0 && record.Count == 0, "The last record does not end with CRLF.");
        return records;
    }

    [Fact]
    public void Every_invariant_of_every_fit_is_one_row_under_the_documented_header()
    {
        var document = SyntheticFits.Document(layers: 3, lastEpoch: 10);

        var records = Parse(Csv(document));

        Assert.Equal(FitsCsv.Columns, records[0]);
        Assert.Equal(1 + 3 * 11 * 52, records.Count);
        Assert.All(records, record => Assert.Equal(FitsCsv.Columns.Count, record.Count));
    }

    [Fact]
    public void Rows_read_back_as_the_document_with_specs_unquoted_and_numbers_bit_exact()
    {
        var document = SyntheticFits.Document(layers: 2, lastEpoch: 3) with { Experiment = "mnist, \"wide\" run" };

        var rows = Parse(Csv(document)).Skip(1).ToList();

        var expected = document.Fits.SelectMany(fit => fit.Invariants.Select(invariant => (fit, invariant))).ToList();
        Assert.Equal(expected.Count, rows.Count);
        foreach (var (row, (fit, invariant)) in rows.Zip(expected))
        {
            Assert.Equal("mnist, \"wide\" run", row[0]);
            Assert.Equal([$"{fit.Layer}", $"{fit.Epoch}", fit.Samples.ToString(), fit.N.ToString()], row[1..5]);
            Assert.Equal([invariant.Id, invariant.Spec, invariant.Degree.ToString(), invariant.Nodes.ToString()], row[5..9]);
            Assert.Equal(invariant.Mean, double.Parse(row[9], CultureInfo.InvariantCulture));
            Assert.Equal(invariant.Std, double.Parse(row[10], CultureInfo.InvariantCulture));
            Assert.Equal(invariant.Predicted, double.Parse(row[11], CultureInfo.InvariantCulture));
            Assert.Equal(invariant.Deviation, row[12] == "" ? null : double.Parse(row[12], CultureInfo.InvariantCulture));
            Assert.Equal(invariant.IidDeviation, row[13] == "" ? null : double.Parse(row[13], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Undefined_deviations_are_empty_fields()
    {
        var rows = Parse(Csv(SyntheticFits.Document(layers: 2, lastEpoch: 3))).Skip(1).ToList();

        var undefined = rows.Where(row => row[12] == "").Select(row => (row[1], row[2], row[5])).ToList();

        // I1..I13 have no model deviation; layer 2's I14 is undefined at epochs 0..2.
        Assert.Equal(2 * 4 * 13 + 3, undefined.Count);
        Assert.Contains(("2", "0", "I14"), undefined);
        Assert.DoesNotContain(("2", "3", "I14"), undefined);
        Assert.All(rows.Where(row => row[7] is "3" or "4"), row => Assert.Equal("", row[13]));
    }

    [Fact]
    public void Values_that_fits_json_cannot_hold_are_written_in_a_parseable_form()
    {
        var document = SyntheticFits.Document(layers: 1, lastEpoch: 0)
            .WithInvariant(1, "I3", invariant => invariant with { Mean = double.NaN, Std = double.PositiveInfinity, Predicted = -double.Epsilon })
            .WithInvariant(1, "I4", invariant => invariant with { Mean = double.MaxValue, Std = double.NegativeInfinity });

        var rows = Parse(Csv(document)).Skip(1).ToDictionary(row => row[5]);

        Assert.Equal(["NaN", "Infinity", "-5E-324"], rows["I3"][9..12]);
        Assert.Equal(double.MaxValue, double.Parse(rows["I4"][9], CultureInfo.InvariantCulture));
        Assert.Equal("-Infinity", rows["I4"][10]);
    }

    [Fact]
    public void Equal_documents_give_the_same_text()
    {
        Assert.Equal(Csv(SyntheticFits.Document(layers: 2, lastEpoch: 2)), Csv(SyntheticFits.Document(layers: 2, lastEpoch: 2)));
    }
}
