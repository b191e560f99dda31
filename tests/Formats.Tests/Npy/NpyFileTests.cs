using OrleansPigmm.Formats.Npy;

namespace OrleansPigmm.Formats.Tests.Npy;

public sealed class NpyFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("npy-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    /// <summary>W[r][i][j] = sin(1 + 0.7 r + 1.3 i + 0.4 j + 0.1 i j), the ensemble of the spec's
    /// appendix T4, as computed here (NumPy's sin may differ in the last bit).</summary>
    private static double[] SinEnsemble()
    {
        var values = new double[5 * 4 * 4];
        for (int r = 0; r < 5; r++)
        {
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    values[(r * 4 + i) * 4 + j] = Math.Sin(1 + 0.7 * r + 1.3 * i + 0.4 * j + 0.1 * i * j);
                }
            }
        }
        return values;
    }

    [Theory]
    [InlineData("sin-ensemble-f8.npy", NpyElementType.Float64)]
    [InlineData("sin-ensemble-f4.npy", NpyElementType.Float32)]
    [InlineData("version-2.npy", NpyElementType.Float32)]
    public void Arrays_saved_by_NumPy_read_back_in_C_order(string file, NpyElementType type)
    {
        using var reader = NpyReader.Open(Data(file));
        var values = new double[80];
        reader.Read(0, values);

        Assert.Equal(type, reader.Header.ElementType);
        Assert.Equal(new long[] { 5, 4, 4 }, reader.Header.Shape);
        var saved = ReadAll(Data("sin-ensemble-f8.npy"));
        var computed = SinEnsemble();
        for (int k = 0; k < values.Length; k++)
        {
            Assert.Equal(computed[k], saved[k], 1e-15);
            Assert.Equal(type == NpyElementType.Float64 ? saved[k] : (float)saved[k], values[k]);
        }
    }

    private static double[] ReadAll(string path)
    {
        using var reader = NpyReader.Open(path);
        var values = new double[reader.Header.ElementCount];
        reader.Read(0, values);
        return values;
    }

    [Fact]
    public void A_slice_is_read_from_its_flat_offset()
    {
        using var reader = NpyReader.Open(Data("sin-ensemble-f8.npy"));
        var second = new double[16];

        reader.Read(16, second);

        Assert.Equal(ReadAll(Data("sin-ensemble-f8.npy")).AsSpan(16, 16).ToArray(), second);
    }

    [Fact]
    public void Written_files_are_byte_identical_to_NumPy_s()
    {
        var path = Path.Combine(folder, "written.npy");
        var values = ReadAll(Data("sin-ensemble-f8.npy"));
        using (var writer = NpyWriter.Create(path, NpyElementType.Float64, [5, 4, 4]))
        {
            writer.Write(values.AsSpan(0, 30));
            writer.Write(values.AsSpan(30));
            writer.Complete();
        }

        Assert.Equal(File.ReadAllBytes(Data("sin-ensemble-f8.npy")), File.ReadAllBytes(path));
    }

    [Fact]
    public void Float32_round_trips_through_writer_and_reader()
    {
        var path = Path.Combine(folder, "f4.npy");
        float[] values = [1.5f, -0f, float.Epsilon, float.MaxValue, float.NaN, float.PositiveInfinity];
        using (var writer = NpyWriter.Create(path, NpyElementType.Float32, [values.Length]))
        {
            writer.Write(values);
            writer.Complete();
        }

        using var reader = NpyReader.Open(path);
        var read = new double[values.Length];
        reader.Read(0, read);
        Assert.Equal("(6,)", reader.Header.ShapeText);
        Assert.Equal(values.Select(v => (double)v), read);
    }

    [Fact]
    public void An_incomplete_file_is_never_left_in_place()
    {
        var path = Path.Combine(folder, "incomplete.npy");
        using (var writer = NpyWriter.Create(path, NpyElementType.Float32, [2, 2]))
        {
            writer.Write([1f, 2f, 3f]);
            Assert.Throws<InvalidOperationException>(writer.Complete);
        }

        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public void Writing_past_the_shape_or_in_the_wrong_type_is_refused()
    {
        using var writer = NpyWriter.Create(Path.Combine(folder, "small.npy"), NpyElementType.Float32, [2]);

        Assert.Throws<InvalidOperationException>(() => writer.Write([1f, 2f, 3f]));
        Assert.Throws<InvalidOperationException>(() => writer.Write([1.0]));
    }

    [Theory]
    [InlineData("not-npy.npy", "is not a NumPy .npy file")]
    [InlineData("truncated.npy", "is truncated: shape (5, 4, 4) needs 640 bytes of data, the file has 632")]
    [InlineData("big-endian.npy", "is big-endian")]
    [InlineData("fortran-order.npy", "is stored in Fortran order")]
    [InlineData("int32.npy", "has dtype '<i4'; only float32 ('<f4') and float64 ('<f8') are supported")]
    public void Unsupported_files_are_refused_with_a_message_naming_file_and_problem(string file, string problem)
    {
        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Open(Data(file)));

        Assert.StartsWith(Data(file), error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Extra_bytes_after_the_data_are_refused()
    {
        var path = Path.Combine(folder, "long.npy");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(Data("sin-ensemble-f8.npy")), 0, 0, 0, 0]);

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Open(path));

        Assert.Contains("has 4 bytes after the data of shape (5, 4, 4)", error.Message);
    }

    [Fact]
    public void A_header_cut_short_is_reported_as_truncated()
    {
        var path = Path.Combine(folder, "header.npy");
        File.WriteAllBytes(path, File.ReadAllBytes(Data("sin-ensemble-f8.npy"))[..40]);

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Open(path));

        Assert.Contains("is truncated inside its header", error.Message);
    }

    [Fact]
    public void Reading_outside_the_array_is_refused()
    {
        using var reader = NpyReader.Open(Data("sin-ensemble-f8.npy"));

        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(70, new double[16]));
    }
}
