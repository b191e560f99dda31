using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>Argument checks and the double view shared by every computation on one matrix.</summary>
internal static class MatrixInput
{
    /// <summary>The smallest matrix size: the PIGMM formulas divide by n - 3 (pigmm-math.md section 1).</summary>
    public const int MinimumSize = 4;

    /// <summary>A scratch length for size n, checked to fit in an array.</summary>
    /// <exception cref="ArgumentException">n &lt; 4, or the length exceeds an array's.</exception>
    public static int ScratchLength(int n, long length)
    {
        RequireSize(n);
        return length <= Array.MaxLength ? (int)length
            : throw new ArgumentException($"Matrices of size n = {n} need {length} doubles of scratch, more than an array can hold.", nameof(n));
    }

    /// <summary>Checks n, the matrix length (exactly n^2), the destination length (at least
    /// <paramref name="outputs"/>) and the scratch length (at least <paramref name="scratchLength"/>).</summary>
    public static void Validate(int n, int matrixLength, int destinationLength, int outputs, int scratchLength, int requiredScratch)
    {
        RequireSize(n);
        if (matrixLength != (long)n * n)
        {
            throw new ArgumentException($"An {n} x {n} matrix has {(long)n * n} entries (row-major), but the span holds {matrixLength}.", "matrix");
        }
        if (destinationLength < outputs)
        {
            throw new ArgumentException($"The destination holds {destinationLength} values; {outputs} are written.", "destination");
        }
        if (scratchLength < requiredScratch)
        {
            throw new ArgumentException($"The scratch holds {scratchLength} doubles; n = {n} needs {requiredScratch}.", "scratch");
        }
    }

    /// <summary>
    /// The matrix as doubles: the input itself when it already is, otherwise converted (exactly)
    /// into the first n^2 entries of <paramref name="buffer"/>.
    /// </summary>
    public static ReadOnlySpan<double> AsDouble<T>(ReadOnlySpan<T> matrix, Span<double> buffer)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            var converted = buffer[..matrix.Length];
            CopyAsDouble(matrix, converted);
            return converted;
        }
        // The public entry points take only double and float.
        return MemoryMarshal.Cast<T, double>(matrix);
    }

    /// <summary>Copies a double or float matrix into <paramref name="destination"/> as doubles (exact).</summary>
    public static void CopyAsDouble<T>(ReadOnlySpan<T> matrix, Span<double> destination)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            TensorPrimitives.ConvertTruncating<float, double>(MemoryMarshal.Cast<T, float>(matrix), destination);
        }
        else
        {
            MemoryMarshal.Cast<T, double>(matrix).CopyTo(destination);
        }
    }

    private static void RequireSize(int n)
    {
        if (n < MinimumSize)
        {
            throw new ArgumentException($"Matrix size n = {n}: invariants are computed for n >= {MinimumSize} only (pigmm-math.md section 1).", nameof(n));
        }
    }
}
