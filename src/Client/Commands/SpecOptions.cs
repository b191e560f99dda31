using System.CommandLine;
using OrleansPigmm.Grains.Abstractions.Experiments;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// How a command that starts an experiment gets its spec: <c>--preset NAME</c> or <c>--spec
/// FILE.json</c>, then any spec field overridden by an option of its own (the options share their
/// names with <c>pigmm train</c> where both have the field).
/// </summary>
internal sealed class SpecOptions
{
    private readonly Option<string?> preset = new("--preset") { Description = $"A named spec: {string.Join(", ", ExperimentPresets.Names)}." };
    private readonly Option<string?> specFile = new("--spec") { Description = "A spec file (JSON, snake_case fields of the spec; omitted fields take the paper-gaussian values)." };
    private readonly Option<string?> dataset = new("--dataset") { Description = "Override the dataset name (spec field dataset)." };
    private readonly Option<string?> widths = new("--widths") { Description = "Override the hidden widths, comma-separated (hidden_widths)." };
    private readonly Option<string?> init = new("--init") { Description = $"Override the initialisation: {string.Join(", ", ExperimentSpecParser.InitSchemes)} (init)." };
    private readonly Option<string?> optimizer = new("--optimizer") { Description = "Override the optimiser: adam or sgd (optimizer)." };
    private readonly Option<double?> learningRate = new("--lr") { Description = "Override the learning rate (learning_rate)." };
    private readonly Option<int?> batchSize = new("--batch-size") { Description = "Override the training images per step (batch_size)." };
    private readonly Option<int?> epochs = new("--epochs") { Description = "Override the number of epochs E (epochs)." };
    private readonly Option<int?> replicas = new("--replicas") { Description = "Override the number of replicas R (replicas)." };
    private readonly Option<double?> l2 = new("--l2") { Description = "Override the coupled L2 coefficient (l2)." };
    private readonly Option<long?> seed = new("--seed") { Description = "Override the experiment seed (seed)." };
    private readonly Option<int?> degree = new("--degree") { Description = "Override the largest invariant degree, 2 to 4 (invariant_degree)." };
    private readonly Option<bool?> allGraphs = new("--all-graphs") { Description = "Report every graph invariant up to the degree, not only the paper's (all_graphs)." };
    private readonly Option<int?> keepWeightsEvery = new("--keep-weights-every") { Description = "Override the raw-weight retention: 0 keeps none, k every k-th epoch and the last (keep_weights_every)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { preset, specFile, dataset, widths, init, optimizer, learningRate, batchSize, epochs, replicas, l2, seed, degree, allGraphs, keepWeightsEvery })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The spec asked for, with its fields checked (every problem listed at once).</summary>
    /// <exception cref="InputException">Neither or both of --preset and --spec, or an unknown preset.</exception>
    /// <exception cref="SpecException">The spec file or the overridden spec is invalid.</exception>
    public ExperimentSpec Spec(ParseResult parsed)
    {
        var (presetName, file) = (parsed.GetValue(preset), parsed.GetValue(specFile));
        ExperimentSpec spec = (presetName, file) switch
        {
            (not null, not null) => throw new InputException("give either --preset or --spec, not both."),
            (null, null) => throw new InputException($"give --preset NAME ({string.Join(", ", ExperimentPresets.Names)}) or --spec FILE.json."),
            (not null, null) => ExperimentPresets.Find(presetName) ?? throw new InputException($"unknown preset '{presetName}'; the presets are {string.Join(", ", ExperimentPresets.Names)}."),
            _ => ExperimentSpecParser.Parse(ReadSpecFile(file!), ExperimentPresets.PaperGaussian),
        };
        spec = spec with
        {
            Dataset = parsed.GetValue(dataset) ?? spec.Dataset,
            HiddenWidths = parsed.GetValue(widths) is { } text ? OptionValues.PositiveIntegers(text, "--widths") : spec.HiddenWidths,
            Init = parsed.GetValue(init) ?? spec.Init,
            Optimizer = parsed.GetValue(optimizer) ?? spec.Optimizer,
            LearningRate = parsed.GetValue(learningRate) ?? spec.LearningRate,
            BatchSize = parsed.GetValue(batchSize) ?? spec.BatchSize,
            Epochs = parsed.GetValue(epochs) ?? spec.Epochs,
            Replicas = parsed.GetValue(replicas) ?? spec.Replicas,
            L2 = parsed.GetValue(l2) ?? spec.L2,
            Seed = parsed.GetValue(seed) ?? spec.Seed,
            InvariantDegree = parsed.GetValue(degree) ?? spec.InvariantDegree,
            AllGraphs = parsed.GetValue(allGraphs) ?? spec.AllGraphs,
            KeepWeightsEvery = parsed.GetValue(keepWeightsEvery) ?? spec.KeepWeightsEvery,
        };
        var problems = ExperimentSpecParser.Validate(spec);
        return problems.Count == 0 ? spec : throw new SpecException(problems);
    }

    private static string ReadSpecFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"cannot read the spec file '{path}': {error.Message}");
        }
    }
}
