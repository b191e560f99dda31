using System.Collections.Concurrent;
using OrleansPigmm.Grains.Experiments;
using OrleansPigmm.Storage;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Grains;

/// <summary>What the grains of one silo share: the store, the trainer backend, the datasets
/// (each loaded once), the plans of known experiments, and the lease timing.</summary>
public sealed class GrainServices
{
    private readonly ConcurrentDictionary<string, Lazy<Dataset>> datasets = new();
    private readonly ConcurrentDictionary<string, ExperimentPlan> plans = new();
    private readonly Func<string, Dataset> loadDataset;

    /// <summary>Services over <paramref name="store"/>, training with <paramref name="trainers"/>
    /// on datasets given by <paramref name="loadDataset"/> (e.g. from the dataset cache).</summary>
    public GrainServices(IPigmmStore store, ITrainerBackend trainers, Func<string, Dataset> loadDataset, TimeProvider? time = null)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        Trainers = trainers ?? throw new ArgumentNullException(nameof(trainers));
        this.loadDataset = loadDataset ?? throw new ArgumentNullException(nameof(loadDataset));
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The store every grain reads and writes.</summary>
    public IPigmmStore Store { get; }

    /// <summary>Creates the trainers of replica batches.</summary>
    public ITrainerBackend Trainers { get; }

    /// <summary>The clock of creation times.</summary>
    public TimeProvider Time { get; }

    /// <summary>How long a claimed batch stays leased without renewal: after a crash, its work
    /// waits this long before another claim resumes it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The dataset of that name, loaded on first use.</summary>
    public Dataset Dataset(string name) => datasets.GetOrAdd(name, n => new Lazy<Dataset>(() => loadDataset(n))).Value;

    /// <summary>The shape of a dataset, for validating specs.</summary>
    public DatasetShape DatasetShape(string name)
    {
        var dataset = Dataset(name);
        return new DatasetShape(dataset.InputWidth, dataset.Classes, dataset.TrainCount);
    }

    /// <summary>The plan of <paramref name="spec"/>.</summary>
    /// <exception cref="SpecException">The spec is invalid.</exception>
    public ExperimentPlan Plan(ExperimentSpec spec) =>
        plans.GetOrAdd(spec.Id, _ => ExperimentPlan.Create(spec, DatasetShape(spec.Dataset)));

    /// <summary>The plan of a stored experiment.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    public async Task<ExperimentPlan> PlanAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        if (plans.TryGetValue(experimentId, out var known))
        {
            return known;
        }
        var record = await Store.GetExperimentAsync(experimentId, cancellationToken)
            ?? throw new KeyNotFoundException($"No experiment '{experimentId}' in {Store.Description}.");
        return Plan(ExperimentSpecParser.Parse(record.SpecJson, ExperimentPresets.PaperGaussian));
    }
}
