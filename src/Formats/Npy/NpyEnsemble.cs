namespace OrleansPigmm.Formats.Npy;

/// <summary>
/// An ensemble of R square n x n matrices stored in a .npy file, either as an array (R, n, n) or
/// as one (layer, epoch) slice of the snapshots array (R, E+1, L, n, n) that `pigmm train` and
/// `pigmm export` write ([out][in] rows, C order).
/// </summary>
public sealed class NpyEnsemble : IDisposable
{
    private readonly NpyReader reader;
    private readonly long stride;
    private readonly long offset;

    private NpyEnsemble(NpyReader reader, int replicas, int n, long stride, long offset, string describe)
    {
        this.reader = reader;
        Replicas = replicas;
        N = n;
        this.stride = stride;
        this.offset = offset;
        Description = describe;
    }

    /// <summary>Number of matrices R.</summary>
    public int Replicas { get; }

    /// <summary>Matrix size n.</summary>
    public int N { get; }

    /// <summary>What was selected, for messages: "FILE" or "FILE (epoch E, layer L)".</summary>
    public string Description { get; }

    /// <summary>
    /// Opens <paramref name="path"/>; for a 5-d snapshots array, <paramref name="epoch"/> (0 =
    /// initialisation) and <paramref name="layer"/> (1-based) select the ensemble.
    /// </summary>
    /// <exception cref="NpyFormatException">The file is not a supported .npy, its rank is not 3 or 5,
    /// the matrices are not square, n &lt; 4, R &lt; 2, or the selectors are missing, out of range or
    /// given for a 3-d array.</exception>
    public static NpyEnsemble Open(string path, int? epoch = null, int? layer = null)
    {
        var reader = NpyReader.Open(path);
        try
        {
            return Select(reader, path, epoch, layer);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Reads matrix <paramref name="replica"/> (row-major) into <paramref name="destination"/>.</summary>
    /// <exception cref="NpyFormatException">An entry is NaN or infinite; the message names the replica and the entry.</exception>
    public void Read(int replica, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replica);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(replica, Replicas);
        var matrix = destination[..(N * N)];
        reader.Read(offset + replica * stride, matrix);
        int bad = IndexOfNonFinite(matrix);
        if (bad >= 0)
        {
            var kind = double.IsNaN(matrix[bad]) ? "NaN" : "infinite";
            throw new NpyFormatException(Description, $"matrix {replica} has a {kind} entry at [{bad / N}][{bad % N}]; fits need finite weights (a diverged replica?)");
        }
    }

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();

    private static int IndexOfNonFinite(ReadOnlySpan<double> values)
    {
        for (int k = 0; k < values.Length; k++)
        {
            if (!double.IsFinite(values[k]))
            {
                return k;
            }
        }
        return -1;
    }

    private static NpyEnsemble Select(NpyReader reader, string path, int? epoch, int? layer)
    {
        var shape = reader.Header.Shape;
        string shapeText = reader.Header.ShapeText;
        if (shape.Count is not (3 or 5))
        {
            throw new NpyFormatException(path, $"has shape {shapeText}; expected (R, n, n) matrices or (R, E+1, L, n, n) snapshots");
        }
        long rows = shape[^2], columns = shape[^1];
        if (rows != columns)
        {
            throw new NpyFormatException(path, $"has shape {shapeText}: its {rows} x {columns} matrices are not square");
        }
        if (rows < 4)
        {
            throw new NpyFormatException(path, $"has shape {shapeText}: PIGMMs need n >= 4, the matrices are {rows} x {rows}");
        }
        if (shape[0] < 2)
        {
            throw new NpyFormatException(path, $"has shape {shapeText}: a fit needs at least 2 matrices, there are {shape[0]}");
        }
        if (shape[0] > int.MaxValue || rows > 46_340)
        {
            throw new NpyFormatException(path, $"has shape {shapeText}, too large to fit");
        }
        int n = (int)rows, replicas = (int)shape[0];
        long matrix = rows * columns;
        if (shape.Count == 3)
        {
            if (epoch is not null || layer is not null)
            {
                throw new NpyFormatException(path, $"has shape {shapeText}, one ensemble; --epoch and --layer apply to (R, E+1, L, n, n) snapshots only");
            }
            return new NpyEnsemble(reader, replicas, n, matrix, 0, path);
        }
        long epochs = shape[1], layers = shape[2];
        if (epoch is not { } e || layer is not { } l)
        {
            throw new NpyFormatException(path, $"has snapshots of shape {shapeText}; choose one ensemble with --epoch (0..{epochs - 1}) and --layer (1..{layers})");
        }
        if (e < 0 || e >= epochs)
        {
            throw new NpyFormatException(path, $"has epochs 0..{epochs - 1}; --epoch {e} is outside them");
        }
        if (l < 1 || l > layers)
        {
            throw new NpyFormatException(path, $"has layers 1..{layers}; --layer {l} is outside them");
        }
        return new NpyEnsemble(reader, replicas, n, epochs * layers * matrix, (e * layers + (l - 1)) * matrix, $"{path} (epoch {e}, layer {l})");
    }
}
