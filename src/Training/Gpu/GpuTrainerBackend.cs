using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Gpu;

/// <summary>No CUDA device to train on: no NVIDIA driver, no GPU, or not the one asked for.</summary>
public sealed class GpuUnavailableException(string message) : InvalidOperationException(message);

/// <summary>
/// The GPU backend: the kernels of <see cref="EnsembleKernels"/> compiled by ILGPU for one CUDA
/// device (PTX, needing only the NVIDIA driver), or run on ILGPU's CPU accelerator, which
/// emulates the GPU's threads with the host's (for tests: the same kernels, slowly). One group of
/// <see cref="GroupSize"/> threads trains one replica; calls are serialised on the device.
/// Dense layers of a tile's worth of weights or more (the wide nets' 640 × 640) multiply through
/// 32 × 32 tiles in shared memory, smaller ones (the paper's 10 × 10) one dot product per thread.
/// </summary>
public sealed class GpuTrainerBackend : ITrainerBackend, IDisposable
{
    /// <summary>Threads per replica on a CUDA device: four warps share each phase of a step.</summary>
    private const int CudaGroupSize = 128;

    /// <summary>Threads per replica on the CPU accelerator: each is a host thread, so few.</summary>
    private const int EmulatedGroupSize = 4;

    /// <summary>Dense layers of at least one tile's worth of weights go through the tiles.</summary>
    private const int DefaultTiledFrom = Tiles.Size * Tiles.Size;

    private readonly Context context;
    private readonly Action<KernelConfig, EpochViews> train;
    private readonly Action<KernelConfig, EvaluationViews> evaluate;

    private GpuTrainerBackend(Context context, Accelerator accelerator, string label, int groupSize, int tiledFrom)
    {
        this.context = context;
        Accelerator = accelerator;
        Label = label;
        GroupSize = groupSize;
        TiledFrom = tiledFrom;
        train = accelerator.LoadStreamKernel<EpochViews>(EnsembleKernels.TrainEpoch);
        evaluate = accelerator.LoadStreamKernel<EvaluationViews>(EnsembleKernels.Evaluate);
    }

    /// <inheritdoc />
    public string Name => "gpu";

    /// <summary>The device's name, e.g. "NVIDIA H100 80GB HBM3".</summary>
    public string DeviceName => Accelerator.Name;

    /// <summary>The device's memory in bytes.</summary>
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>Threads that train one replica together.</summary>
    public int GroupSize { get; }

    /// <summary>Replicas the device trains at once, one group each on every multiprocessor's
    /// share of threads: fewer leave it idle, more wait for a turn.</summary>
    public int ConcurrentReplicas => Math.Max(1, Accelerator.NumMultiprocessors * Math.Max(1, Accelerator.MaxNumThreadsPerMultiprocessor / GroupSize));

    /// <summary>The device as <c>--device</c> names it: <c>gpu:K</c>, or <c>gpu-emulated</c> for ILGPU's CPU accelerator.</summary>
    public string Label { get; }

    /// <summary>Dense layers of at least this many weights multiply through shared-memory tiles (no bit depends on it).</summary>
    internal int TiledFrom { get; }

    /// <summary>Serialises the device's use: a launch, or a copy to or from it.</summary>
    internal Lock Gate { get; } = new();

    internal Accelerator Accelerator { get; }

    /// <summary>The backend on CUDA device <paramref name="device"/>.</summary>
    /// <exception cref="GpuUnavailableException">There is no CUDA device (no NVIDIA driver or GPU), or none of that index.</exception>
    public static GpuTrainerBackend Cuda(int device = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(device);
        var context = Context.Create(builder => builder.Cuda());
        try
        {
            CudaDevice[] devices = [.. context.GetCudaDevices()];
            if (devices.Length == 0)
            {
                throw new GpuUnavailableException("no CUDA device: ILGPU finds no NVIDIA GPU and driver (libcuda) on this machine; train on the CPU with --device cpu.");
            }
            if (device >= devices.Length)
            {
                throw new GpuUnavailableException(
                    $"there is no CUDA device {device}: this machine has {devices.Length} ({string.Join(", ", devices.Select((found, index) => $"gpu:{index} {found.Name}"))}).");
            }
            return new GpuTrainerBackend(context, devices[device].CreateAccelerator(context), string.Create(CultureInfo.InvariantCulture, $"gpu:{device}"), CudaGroupSize, DefaultTiledFrom);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The backend on ILGPU's CPU accelerator: the GPU's kernels with emulated threads.</summary>
    public static GpuTrainerBackend CpuAccelerator() => CpuAccelerator(DefaultTiledFrom);

    /// <summary>The backend on ILGPU's CPU accelerator, tiling dense layers from <paramref name="tiledFrom"/> weights on.</summary>
    internal static GpuTrainerBackend CpuAccelerator(int tiledFrom)
    {
        var context = Context.Create(builder => builder.CPU());
        try
        {
            return new GpuTrainerBackend(context, context.GetCPUDevice(0).CreateAccelerator(context), "gpu-emulated", EmulatedGroupSize, tiledFrom);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) => new GpuEnsembleTrainer(this, spec, dataset, replicas);

    /// <summary>Frees the device.</summary>
    public void Dispose()
    {
        Accelerator.Dispose();
        context.Dispose();
    }

    internal void Train(int groups, EpochViews views)
    {
        train(new KernelConfig(groups, GroupSize), views);
        Accelerator.Synchronize();
    }

    internal void Evaluate(int groups, EvaluationViews views)
    {
        evaluate(new KernelConfig(groups, GroupSize), views);
        Accelerator.Synchronize();
    }
}
