using System.CommandLine;
using OrleansPigmm.Training.Cpu;

namespace OrleansPigmm.Client.Commands;

/// <summary>Options every training command shares: dataset, data folder, threads, vector width.</summary>
internal sealed class CommonTrainingOptions
{
    private readonly Option<string> dataset = new("--dataset") { Description = "Dataset name (e.g. mnist) or the path of a dataset descriptor .json.", DefaultValueFactory = _ => "mnist" };
    private readonly Option<string?> dataDirectory = new("--data-dir") { Description = "Data folder (default: $PIGMM_DATA_DIR, else ~/.cache/orleanspigmm/datasets); fill it with scripts/fetch-dataset.sh." };
    private readonly Option<int> threads = new("--threads") { Description = "Worker threads (default: all logical CPUs).", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<string> vectorWidth = new("--vector-width") { Description = "SIMD width: auto, 128, 256 or 512 (results are the same at every width).", DefaultValueFactory = _ => "auto" };

    private readonly Option<string?> device = new("--device") { Description = "The silo's training device: cpu (all logical CPUs) or cpu:N (N training threads)." };
    private bool asDevice;

    /// <summary>Adds the options; <paramref name="withDataset"/> false leaves out --dataset, for
    /// commands whose spec names the dataset; <paramref name="asDevice"/> offers the training
    /// threads as a silo's <c>--device cpu:N</c> instead of <c>--threads N</c>.</summary>
    public void AddTo(Command command, bool withDataset = true, bool asDevice = false)
    {
        if (withDataset)
        {
            command.Options.Add(dataset);
        }
        command.Options.Add(dataDirectory);
        command.Options.Add(asDevice ? device : threads);
        command.Options.Add(vectorWidth);
        this.asDevice = asDevice;
    }

    public string DatasetName(ParseResult parsed) => parsed.GetValue(dataset)!;

    /// <summary>The --data-dir option alone, for commands that take no other of these options.</summary>
    public Option<string?> DataDirectoryOption => dataDirectory;

    public string? DataDirectory(ParseResult parsed) => parsed.GetValue(dataDirectory);

    public TrainerOptions Trainer(ParseResult parsed) =>
        OptionValues.Trainer(asDevice ? OptionValues.CpuDevice(parsed.GetValue(device)) : parsed.GetValue(threads), parsed.GetValue(vectorWidth)!);
}
