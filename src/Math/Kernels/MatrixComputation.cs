using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>A computation of a fixed number of values from one n x n row-major matrix, with
/// scratch memory: the shape shared by the public invariant entry points.</summary>
internal interface IMatrixComputation
{
    /// <summary>Number of values written.</summary>
    int OutputCount { get; }

    /// <summary>Doubles of scratch needed for size n (n &gt;= 4).</summary>
    int ScratchLength(int n);

    /// <summary>The computation on checked arguments.</summary>
    void ComputeUnchecked(ReadOnlySpan<double> matrix, int n, Span<double> destination, Span<double> scratch);

    /// <summary>The computation on checked arguments.</summary>
    void ComputeUnchecked(ReadOnlySpan<float> matrix, int n, Span<double> destination, Span<double> scratch);
}

/// <summary>Argument checks and scratch provision around an <see cref="IMatrixComputation"/>.</summary>
internal static class MatrixComputation
{
    /// <summary>Checks the arguments, leases scratch (stack or pool) and runs the computation.</summary>
    [SkipLocalsInit]
    public static void RunWithLease<T>(IMatrixComputation computation, ReadOnlySpan<T> matrix, int n, Span<double> destination)
        where T : unmanaged
    {
        MatrixInput.Validate(n, matrix.Length, destination.Length, computation.OutputCount, 0, 0);
        int length = computation.ScratchLength(n);
        using var scratch = new ScratchLease(length, length <= ScratchLease.StackLimit ? stackalloc double[length] : default);
        RunUnchecked(computation, matrix, n, destination, scratch.Span);
    }

    /// <summary>Checks the arguments, including the caller's scratch, and runs the computation.</summary>
    public static void Run<T>(IMatrixComputation computation, ReadOnlySpan<T> matrix, int n, Span<double> destination, Span<double> scratch)
        where T : unmanaged
    {
        MatrixInput.Validate(n, matrix.Length, destination.Length, computation.OutputCount, scratch.Length, computation.ScratchLength(n));
        RunUnchecked(computation, matrix, n, destination, scratch);
    }

    // The public entry points take only double and float.
    private static void RunUnchecked<T>(IMatrixComputation computation, ReadOnlySpan<T> matrix, int n, Span<double> destination, Span<double> scratch)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            computation.ComputeUnchecked(MemoryMarshal.Cast<T, float>(matrix), n, destination, scratch);
        }
        else
        {
            computation.ComputeUnchecked(MemoryMarshal.Cast<T, double>(matrix), n, destination, scratch);
        }
    }
}
