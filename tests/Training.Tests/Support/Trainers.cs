using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;
using OrleansPigmm.Training.Gpu;

namespace OrleansPigmm.Training.Tests.Support;

internal static class Trainers
{
    /// <summary>A CPU trainer for replicas of <paramref name="spec"/>.</summary>
    public static CpuEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas, int threads = 2, VectorWidth width = VectorWidth.Auto) =>
        (CpuEnsembleTrainer)new CpuTrainerBackend(new TrainerOptions { Threads = threads, VectorWidth = width }).Create(spec, dataset, replicas);

    /// <summary>ILGPU's CPU accelerator, shared by the tests (its kernels compile once).</summary>
    public static GpuTrainerBackend Emulated => EmulatedBackend.Value;

    private static readonly Lazy<GpuTrainerBackend> EmulatedBackend = new(GpuTrainerBackend.CpuAccelerator);

    /// <summary>A trainer of the GPU backend on ILGPU's CPU accelerator.</summary>
    public static GpuEnsembleTrainer CreateEmulated(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) =>
        (GpuEnsembleTrainer)Emulated.Create(spec, dataset, replicas);

    /// <summary>Mean loss and [out][in] gradients of one replica on the given rows, from either backend.</summary>
    public static float LossAndGradients(IEnsembleTrainer trainer, int slot, ReadOnlySpan<int> rows, float[][] gradients) => trainer switch
    {
        CpuEnsembleTrainer cpu => cpu.LossAndGradients(slot, rows, gradients),
        GpuEnsembleTrainer gpu => gpu.LossAndGradients(slot, rows, gradients),
        _ => throw new ArgumentException($"No gradient evaluation for {trainer.GetType().Name}.", nameof(trainer)),
    };

    /// <summary>All weights of a replica, [out][in] per layer.</summary>
    public static float[][] Weights(IEnsembleTrainer trainer, int slot) => Enumerable.Range(0, trainer.Shape.Layers.Count).Select(l =>
    {
        var matrix = new float[trainer.Shape.Layers[l].Weights];
        trainer.CopyWeights(slot, l, matrix);
        return matrix;
    }).ToArray();

    /// <summary>Asserts two weight sets are equal bit for bit.</summary>
    public static void AssertBitIdentical(float[][] expected, float[][] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int l = 0; l < expected.Length; l++)
        {
            for (int i = 0; i < expected[l].Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[l][i]) != BitConverter.SingleToInt32Bits(actual[l][i]))
                {
                    Assert.Fail($"{context}: layer {l} weight {i} is {actual[l][i]:R}, expected {expected[l][i]:R}.");
                }
            }
        }
    }

    /// <summary>The dense normalised input of a stored image, rebuilt from its sparse form as x = x0 + s.</summary>
    public static double[] DenseInput(SparseImages data, int row)
    {
        var x = new double[data.Width];
        Array.Fill(x, data.Baseline);
        for (int k = data.Offsets[row]; k < data.Offsets[row + 1]; k++)
        {
            uint entry = data.Entries[k];
            x[entry & 0xFFFF] = data.Baseline + data.Levels[entry >> 16];
        }
        return x;
    }
}
