using System.Runtime.CompilerServices;

namespace OrleansPigmm.Training.Cpu.Kernels;

/// <summary>What a product kernel does with an accumulated vector before storing it.</summary>
internal unsafe interface IEpilogue
{
    /// <param name="sum">The accumulated vector.</param>
    /// <param name="gate">The same position in the gate matrix (unused by most epilogues).</param>
    static abstract TVector Apply<TOps, TVector>(TVector sum, float* gate)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged;
}

/// <summary>Stores the sum.</summary>
internal readonly unsafe struct Identity : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TOps, TVector>(TVector sum, float* gate)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged => sum;
}

/// <summary>Stores max(sum, 0): a hidden layer's forward pass.</summary>
internal readonly unsafe struct Rectify : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TOps, TVector>(TVector sum, float* gate)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged => TOps.Relu(sum);
}

/// <summary>Stores the sum where the gate (a ReLU output) is positive, else 0: backpropagation through a ReLU.</summary>
internal readonly unsafe struct GateByPositive : IEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TOps, TVector>(TVector sum, float* gate)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged => TOps.WherePositive(TOps.Load(gate), sum);
}
