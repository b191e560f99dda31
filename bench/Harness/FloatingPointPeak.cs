using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using OrleansPigmm.Training.Cpu.Kernels;

namespace OrleansPigmm.Benchmarks.Harness;

/// <summary>
/// The fp32 rate this machine delivers right now: every thread runs independent fused
/// multiply-add chains on registers only. A yardstick measured in the same run as a scenario,
/// so that a busy or throttled machine lowers both (on shared vCPUs the nominal peak is rarely seen).
/// </summary>
public static class FloatingPointPeak
{
    private static float Sink;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads with vectors of <paramref name="bits"/> bits (128, 256 or 512).</summary>
    public static double Measure(int threads, int bits, TimeSpan duration)
    {
        var results = new double[threads];
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => results[t] = bits switch
        {
            512 => PerThread<Vector512Ops, Vector512<float>>(duration),
            256 => PerThread<Vector256Ops, Vector256<float>>(duration),
            _ => PerThread<Vector128Ops, Vector128<float>>(duration),
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }
        foreach (var worker in workers)
        {
            worker.Join();
        }
        return results.Sum();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PerThread<TOps, TVector>(TimeSpan duration)
        where TOps : unmanaged, IVectorOps<TVector>
        where TVector : unmanaged
    {
        const int Chains = 12;
        const int Rounds = 1 << 16;
        var scale = TOps.Broadcast(0.9999999f);
        var shift = TOps.Broadcast(1e-7f);
        TVector a0 = TOps.Broadcast(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        long rounds = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            for (int i = 0; i < Rounds; i++)
            {
                a0 = TOps.MultiplyAdd(a0, scale, shift);
                a1 = TOps.MultiplyAdd(a1, scale, shift);
                a2 = TOps.MultiplyAdd(a2, scale, shift);
                a3 = TOps.MultiplyAdd(a3, scale, shift);
                a4 = TOps.MultiplyAdd(a4, scale, shift);
                a5 = TOps.MultiplyAdd(a5, scale, shift);
                a6 = TOps.MultiplyAdd(a6, scale, shift);
                a7 = TOps.MultiplyAdd(a7, scale, shift);
                a8 = TOps.MultiplyAdd(a8, scale, shift);
                a9 = TOps.MultiplyAdd(a9, scale, shift);
                a10 = TOps.MultiplyAdd(a10, scale, shift);
                a11 = TOps.MultiplyAdd(a11, scale, shift);
            }
            rounds += Rounds;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        // Store the chains so the JIT cannot drop them as dead code.
        var sum = TOps.Add(TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3)), TOps.Add(TOps.Add(TOps.Add(a4, a5), TOps.Add(a6, a7)), TOps.Add(TOps.Add(a8, a9), TOps.Add(a10, a11))));
        Volatile.Write(ref Sink, Unsafe.As<TVector, float>(ref sum));
        return rounds * Chains * 2.0 * TOps.Count / seconds / 1e9;
    }
}
