using System.Runtime.Intrinsics;

namespace OrleansPigmm.Training.Cpu;

/// <summary>SIMD register width the CPU trainer uses.</summary>
public enum VectorWidth
{
    /// <summary>The widest the CPU accelerates: 512 with AVX-512, else 256 with AVX2, else 128.</summary>
    Auto = 0,

    /// <summary>128-bit vectors (SSE, NEON).</summary>
    Bits128 = 128,

    /// <summary>256-bit vectors (AVX2).</summary>
    Bits256 = 256,

    /// <summary>512-bit vectors (AVX-512).</summary>
    Bits512 = 512,
}

/// <summary>
/// How the CPU trainer runs. Neither setting changes results: every kernel is exact per lane and
/// sums in an order fixed by the shapes, so weights are bit-identical for any thread count and any
/// vector width on CPUs with fused multiply-add (the width is a setting for speed and for checks).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Worker threads; replicas are spread over them (default: one per logical CPU).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Vector width (default: widest available).</summary>
    public VectorWidth VectorWidth { get; init; } = VectorWidth.Auto;

    /// <summary>Where the worker threads' tasks run; null for the thread pool. A silo gives its
    /// training device's own threads here, so that training never occupies the threads that run
    /// grains.</summary>
    public TaskScheduler? Scheduler { get; init; }

    /// <summary>The width <see cref="VectorWidth"/> resolves to on this CPU, in bits.</summary>
    /// <exception cref="NotSupportedException">The width asked for is not accelerated here.</exception>
    public int ResolvedBits => VectorWidth switch
    {
        VectorWidth.Auto => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128,
        VectorWidth.Bits512 when Vector512.IsHardwareAccelerated => 512,
        VectorWidth.Bits256 when Vector256.IsHardwareAccelerated => 256,
        VectorWidth.Bits128 => 128,
        _ => throw new NotSupportedException($"This CPU does not accelerate {(int)VectorWidth}-bit vectors."),
    };
}
