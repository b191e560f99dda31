using OrleansPigmm.Training.Data;
using System.Collections.Concurrent;
using OrleansPigmm.Grains.Abstractions.Experiments;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains.Plans;

/// <summary>The plans of the experiments a silo's grains work on, each made once from its spec and
/// its dataset's dimensions (read from the dataset's descriptor: no data is loaded to validate).</summary>
public sealed class ExperimentPlans
{
    private readonly ConcurrentDictionary<string, ExperimentPlan> plans = new();
    private readonly IPigmmStore store;
    private readonly Func<string, DatasetDimensions?> datasets;

    /// <summary>Plans of experiments stored in <paramref name="store"/>, on the datasets that
    /// <paramref name="datasets"/> knows (null for an unknown name).</summary>
    public ExperimentPlans(IPigmmStore store, Func<string, DatasetDimensions?> datasets)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.datasets = datasets ?? throw new ArgumentNullException(nameof(datasets));
    }

    /// <summary>The plan of <paramref name="spec"/>.</summary>
    /// <exception cref="SpecException">The spec is invalid; every problem is listed.</exception>
    public ExperimentPlan Plan(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return plans.GetOrAdd(spec.Id, _ => ExperimentPlan.Create(spec, datasets));
    }

    /// <summary>The plan of a stored experiment.</summary>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    public async Task<ExperimentPlan> PlanAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        if (plans.TryGetValue(experimentId, out var known))
        {
            return known;
        }
        var record = await store.GetExperimentAsync(experimentId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"There is no experiment '{experimentId}' in the store {store.Description}.");
        return Plan(ExperimentSpecParser.Parse(record.SpecJson, ExperimentPresets.PaperGaussian));
    }
}
