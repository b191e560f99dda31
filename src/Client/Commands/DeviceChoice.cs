using OrleansPigmm.Silo.Training;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;
using OrleansPigmm.Training.Gpu;

namespace OrleansPigmm.Client.Commands;

/// <summary>The training device a command was given (<c>--device</c>), and how to make its
/// trainers or a silo's device of it. A GPU is opened when asked for, so that a machine without
/// one is told so at once, in one line.</summary>
internal abstract record DeviceChoice
{
    /// <summary>The trainer backend of this device, with <paramref name="width"/> for a CPU.</summary>
    /// <exception cref="InputException">No such CUDA device.</exception>
    public abstract ITrainerBackend Backend(VectorWidth width);

    /// <summary>A silo's training device of this kind, loading datasets with <paramref name="loadDataset"/>.</summary>
    /// <exception cref="InputException">No such CUDA device.</exception>
    public abstract Func<TrainingDevice> SiloDevice(VectorWidth width, Func<string, Dataset> loadDataset);

    /// <summary>The CPU with <paramref name="Threads"/> training threads.</summary>
    public sealed record Cpu(int Threads) : DeviceChoice
    {
        public TrainerOptions Options(VectorWidth width) => OptionValues.Trainer(Threads, width);

        public override ITrainerBackend Backend(VectorWidth width) => new CpuTrainerBackend(Options(width));

        public override Func<TrainingDevice> SiloDevice(VectorWidth width, Func<string, Dataset> loadDataset)
        {
            var options = Options(width);
            return () => TrainingDevice.Cpu(options.Threads, options.VectorWidth, loadDataset);
        }
    }

    /// <summary>The GPU backend on a device <see cref="Open"/> gives.</summary>
    public abstract record GpuBackend : DeviceChoice
    {
        public override ITrainerBackend Backend(VectorWidth width) => Open();

        public override Func<TrainingDevice> SiloDevice(VectorWidth width, Func<string, Dataset> loadDataset)
        {
            var backend = Open();
            return () => TrainingDevice.Gpu(backend, loadDataset);
        }

        /// <exception cref="InputException">No such device.</exception>
        protected abstract GpuTrainerBackend Open();
    }

    /// <summary>CUDA device <paramref name="Device"/>.</summary>
    public sealed record Gpu(int Device) : GpuBackend
    {
        protected override GpuTrainerBackend Open()
        {
            try
            {
                return GpuTrainerBackend.Cuda(Device);
            }
            catch (GpuUnavailableException unavailable)
            {
                throw new InputException($"--device gpu:{Device}: {unavailable.Message}");
            }
        }
    }

    /// <summary>The GPU backend's kernels on ILGPU's CPU accelerator: the GPU path, checked
    /// where there is no GPU, at a small fraction of a GPU's (or the CPU trainer's) speed.</summary>
    public sealed record EmulatedGpu : GpuBackend
    {
        protected override GpuTrainerBackend Open() => GpuTrainerBackend.CpuAccelerator();
    }
}
