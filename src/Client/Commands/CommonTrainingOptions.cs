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

    /// <summary>Adds the options; <paramref name="withDataset"/> false leaves out --dataset, for
    /// commands whose spec names the dataset.</summary>
    public void AddTo(Command command, bool withDataset = true)
    {
        if (withDataset)
        {
            command.Options.Add(dataset);
        }
        command.Options.Add(dataDirectory);
        command.Options.Add(threads);
        command.Options.Add(vectorWidth);
    }

    public string DatasetName(ParseResult parsed) => parsed.GetValue(dataset)!;

    public string? DataDirectory(ParseResult parsed) => parsed.GetValue(dataDirectory);

    public TrainerOptions Trainer(ParseResult parsed) => OptionValues.Trainer(parsed.GetValue(threads), parsed.GetValue(vectorWidth)!);
}
