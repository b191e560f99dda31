using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>
/// A SIMD register of doubles of a fixed width, so that one generic kernel serves 256-bit and
/// 512-bit hardware. Generic methods over a struct implementing this are specialised by the JIT,
/// so the wrapper costs nothing.
/// </summary>
/// <remarks>
/// Every operation is lane-wise and exactly rounded (<see cref="MultiplyAdd"/> is fused), so a
/// lane computes bit for bit what a scalar loop doing the same operations would; only
/// <see cref="Sum"/> combines lanes, in an order fixed by the width.
/// </remarks>
internal interface ILanes<TSelf> where TSelf : struct, ILanes<TSelf>
{
    /// <summary>Number of doubles in the register.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>All lanes equal to <paramref name="value"/>.</summary>
    static abstract TSelf Broadcast(double value);

    /// <summary>Loads Count doubles starting at <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TSelf Load(ref readonly double source, nint offset);

    /// <summary>Stores all lanes at <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    static abstract void Store(TSelf value, ref double destination, nint offset);

    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>Lane-wise fused left * right + addend (one rounding).</summary>
    static abstract TSelf MultiplyAdd(TSelf left, TSelf right, TSelf addend);

    /// <summary>The value with lanes 0..firstKept-1 set to zero.</summary>
    static abstract TSelf ZeroBelow(TSelf value, int firstKept);

    /// <summary>Sum of the lanes, in an order that depends only on the width.</summary>
    static abstract double Sum(TSelf value);
}

/// <summary>Four doubles (AVX2 and wider).</summary>
internal readonly struct Lanes256 : ILanes<Lanes256>
{
    private readonly Vector256<double> value;

    private Lanes256(Vector256<double> value) => this.value = value;

    public static int Count => Vector256<double>.Count;

    public static Lanes256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Broadcast(double value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(ref readonly double source, nint offset) =>
        new(Vector256.LoadUnsafe(in source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes256 value, ref double destination, nint offset) =>
        value.value.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator +(Lanes256 left, Lanes256 right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator *(Lanes256 left, Lanes256 right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 MultiplyAdd(Lanes256 left, Lanes256 right, Lanes256 addend) =>
        new(Vector256.FusedMultiplyAdd(left.value, right.value, addend.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 ZeroBelow(Lanes256 value, int firstKept) =>
        new(Vector256.GreaterThanOrEqual(Vector256.Create(0L, 1, 2, 3), Vector256.Create((long)firstKept)).AsDouble() & value.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Lanes256 value) => Vector256.Sum(value.value);
}

/// <summary>Eight doubles (AVX-512).</summary>
internal readonly struct Lanes512 : ILanes<Lanes512>
{
    private readonly Vector512<double> value;

    private Lanes512(Vector512<double> value) => this.value = value;

    public static int Count => Vector512<double>.Count;

    public static Lanes512 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Broadcast(double value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(ref readonly double source, nint offset) =>
        new(Vector512.LoadUnsafe(in source, (nuint)offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes512 value, ref double destination, nint offset) =>
        value.value.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator +(Lanes512 left, Lanes512 right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator *(Lanes512 left, Lanes512 right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 MultiplyAdd(Lanes512 left, Lanes512 right, Lanes512 addend) =>
        new(Vector512.FusedMultiplyAdd(left.value, right.value, addend.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 ZeroBelow(Lanes512 value, int firstKept) =>
        new(Vector512.GreaterThanOrEqual(Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7), Vector512.Create((long)firstKept)).AsDouble() & value.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Lanes512 value) => Vector512.Sum(value.value);
}
