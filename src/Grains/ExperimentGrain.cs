using OrleansPigmm.Grains.Experiments;
using OrleansPigmm.Grains.Interfaces;
using OrleansPigmm.Grains.Runtime;

namespace OrleansPigmm.Grains;

/// <summary>An experiment: validates its spec, stores it with its replica batches, reports progress.</summary>
public sealed class ExperimentGrain(GrainContext context, GrainServices services) : IExperimentGrain
{
    /// <inheritdoc />
    public async Task<ExperimentStatus> SubmitAsync(ExperimentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Id != context.Key)
        {
            throw new SpecException([$"spec: its id is {spec.Id}, not this experiment's {context.Key}"]);
        }
        var plan = services.Plan(spec);
        bool created = await services.Store.CreateExperimentAsync(plan.ToRecord(services.Time.GetUtcNow()), plan.Batches());
        return await StatusAsync(created);
    }

    /// <inheritdoc />
    public Task<ExperimentStatus> GetStatusAsync() => StatusAsync(created: false);

    private async Task<ExperimentStatus> StatusAsync(bool created)
    {
        var store = services.Store;
        var experiment = await store.GetExperimentAsync(context.Key)
            ?? throw new KeyNotFoundException($"No experiment '{context.Key}' in {store.Description}.");
        var batches = await store.ListBatchesAsync(context.Key);
        long committed = batches.Sum(b => (long)(b.CompletedEpochs + 1) * b.Batch.ReplicaCount);
        return new ExperimentStatus(experiment.Id, experiment.Replicas, experiment.Epochs, experiment.Layers, experiment.MatrixSize, batches.Count, committed, created);
    }
}
