using OrleansPigmm.Grains.Plans;
using System.CommandLine;
using OrleansPigmm.Training;

namespace OrleansPigmm.Client.Commands;

/// <summary><c>pigmm train</c>: trains an ensemble and writes its weight snapshots (.npy) and a JSON sidecar.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var replicas = new Option<int>("--replicas") { Description = "Number of replicas R (replica r is the same network in any run with the same seed and settings).", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Epochs E; snapshots are taken at initialisation and after every epoch.", Required = true };
        var widths = new Option<string>("--widths") { Description = "Hidden widths, comma-separated.", DefaultValueFactory = _ => "10,10,10" };
        var init = new Option<string>("--init") { Description = $"Initialisation: {string.Join(", ", InitSchemeNames.Schemes.Keys)}.", DefaultValueFactory = _ => "gaussian" };
        var l2 = new Option<double>("--l2") { Description = "Coupled L2 coefficient (PyTorch's weight_decay).", DefaultValueFactory = _ => 0 };
        var seed = new Option<long>("--seed") { Description = "Experiment seed.", DefaultValueFactory = _ => 0 };
        var outputPath = new Option<string>("--output") { Description = "The .npy file to write; SNAPSHOTS.json is written beside it.", Required = true };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd.", DefaultValueFactory = _ => "adam" };
        var learningRate = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 1e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step.", DefaultValueFactory = _ => 100 };
        var trainingSamples = new Option<int?>("--n-train") { Description = "Train on the first N training images only (default: all)." };
        var common = new CommonTrainingOptions();
        var command = new Command("train", "Train an ensemble of MLPs and record the square hidden-to-hidden and hidden-to-output weight matrices after every epoch.")
        {
            replicas, epochs, widths, init, l2, seed, outputPath, optimizer, learningRate, batchSize, trainingSamples,
        };
        common.AddTo(command);
        command.SetAction(parsed => CommandFailure.Guard("train", error, () =>
        {
            var spec = new TrainingSpec
            {
                HiddenWidths = OptionValues.PositiveIntegers(parsed.GetValue(widths)!, "--widths"),
                Init = OptionValues.Init(parsed.GetValue(init)!),
                Optimizer = parsed.GetValue(optimizer)!.ToLowerInvariant() switch
                {
                    "adam" => OptimizerSpec.Adam(parsed.GetValue(learningRate)),
                    "sgd" => OptimizerSpec.Sgd(parsed.GetValue(learningRate)),
                    var other => throw new InputException($"--optimizer must be adam or sgd; got '{other}'."),
                },
                WeightDecay = parsed.GetValue(l2),
                BatchSize = parsed.GetValue(batchSize),
                Seed = parsed.GetValue(seed),
                TrainingSamples = parsed.GetValue(trainingSamples),
            };
            var request = new TrainingRequest(spec, parsed.GetValue(replicas), parsed.GetValue(epochs), parsed.GetValue(outputPath)!,
                common.DatasetName(parsed), common.DataDirectory(parsed), common.Device(parsed).Backend(common.Width(parsed)));
            return TrainingRun.Execute(request, output, error);
        }));
        return command;
    }
}
