using System.CommandLine;
using OrleansPigmm.Training.Cpu;

namespace OrleansPigmm.Client.Commands;

/// <summary>Options every training command shares: dataset, data folder, device, threads, vector width.</summary>
internal sealed class CommonTrainingOptions
{
    private readonly Option<string> dataset = new("--dataset") { Description = "Dataset name (e.g. mnist) or the path of a dataset descriptor .json.", DefaultValueFactory = _ => "mnist" };
    private readonly Option<string?> dataDirectory = new("--data-dir") { Description = "Data folder (default: $PIGMM_DATA_DIR, else ~/.cache/orleanspigmm/datasets); fill it with scripts/fetch-dataset.sh." };
    private readonly Option<int> threads = new("--threads") { Description = "Worker threads (default: all logical CPUs).", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<string> vectorWidth = new("--vector-width") { Description = "SIMD width: auto, 128, 256 or 512 (results are the same at every width).", DefaultValueFactory = _ => "auto" };

    private readonly Option<string?> device = new("--device") { Description = "The training device: cpu (all logical CPUs, or --threads), cpu:N (N training threads), gpu or gpu:K (CUDA device K), or gpu-emulated (the GPU's kernels on the CPU, slowly, to check the GPU path without a GPU)." };
    private bool asDevice;

    /// <summary>Adds the options; <paramref name="withDataset"/> false leaves out --dataset, for
    /// commands whose spec names the dataset; <paramref name="asDevice"/> offers the training
    /// threads only as a silo's <c>--device cpu:N</c>, without <c>--threads N</c>.</summary>
    public void AddTo(Command command, bool withDataset = true, bool asDevice = false)
    {
        if (withDataset)
        {
            command.Options.Add(dataset);
        }
        command.Options.Add(dataDirectory);
        command.Options.Add(device);
        if (!asDevice)
        {
            command.Options.Add(threads);
        }
        command.Options.Add(vectorWidth);
        this.asDevice = asDevice;
    }

    public string DatasetName(ParseResult parsed) => parsed.GetValue(dataset)!;

    /// <summary>The --threads option (CPU training threads where --device is a plain cpu).</summary>
    public Option<int> ThreadsOption => threads;

    /// <summary>The --data-dir option alone, for commands that take no other of these options.</summary>
    public Option<string?> DataDirectoryOption => dataDirectory;

    public string? DataDirectory(ParseResult parsed) => parsed.GetValue(dataDirectory);

    /// <summary>The training device: <c>--device</c>, with <c>--threads</c> for a plain <c>cpu</c> where the command offers it.</summary>
    public DeviceChoice Device(ParseResult parsed) =>
        OptionValues.Device(parsed.GetValue(device), asDevice ? null : parsed.GetValue(threads));

    /// <summary>The SIMD width of a CPU device.</summary>
    public VectorWidth Width(ParseResult parsed) => OptionValues.Width(parsed.GetValue(vectorWidth)!);

    /// <summary>The CPU trainer's options, for commands that train on the CPU only.</summary>
    /// <exception cref="InputException">A GPU was named.</exception>
    public TrainerOptions Trainer(ParseResult parsed) => Device(parsed) is DeviceChoice.Cpu cpu
        ? cpu.Options(Width(parsed))
        : throw new InputException($"this command trains on the CPU only; give --device cpu or cpu:N, not {parsed.GetValue(device)}.");
}
