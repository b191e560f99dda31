using OrleansPigmm.Grains;
using OrleansPigmm.Grains.Experiments;
using OrleansPigmm.Grains.Interfaces;
using OrleansPigmm.Grains.Runtime;
using OrleansPigmm.Silo.Runtime;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo;

/// <summary>
/// The single-process silo: hosts the grains over one store and works through an experiment's
/// replica batches, claiming each under a lease, until every batch has trained every epoch; then
/// has every aggregator fold the whole ensemble once more, which completes any fold that a crash
/// interrupted between a commit and its aggregation (folding is idempotent).
/// </summary>
public sealed class LocalSilo : IAsyncDisposable
{
    private readonly GrainServices services;
    private readonly LocalGrainRuntime runtime;

    /// <summary>A silo over <paramref name="services"/>' store.</summary>
    public LocalSilo(GrainServices services)
    {
        this.services = services ?? throw new ArgumentNullException(nameof(services));
        runtime = new LocalGrainRuntime(new GrainRegistry()
            .Add<IExperimentGrain>(context => new ExperimentGrain(context, services))
            .Add<IReplicaGrain>(context => new ReplicaGrain(context, services))
            .Add<IAggregatorGrain>(context => new AggregatorGrain(context, services)));
    }

    /// <summary>This silo's name in leases: unique per process.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>The grains.</summary>
    public IGrainFactory Grains => runtime;

    /// <summary>Reports what the silo waits for (e.g. the lease of a batch that a stopped run held).</summary>
    public event Action<string>? Waiting;

    /// <summary>Submits a spec (a no-op if it is stored already).</summary>
    /// <exception cref="SpecException">The spec is invalid.</exception>
    public Task<ExperimentStatus> SubmitAsync(ExperimentSpec spec) => Grains.GetGrain<IExperimentGrain>(spec.Id).SubmitAsync(spec);

    /// <summary>Trains every batch of the experiment to its last epoch and completes its fits.
    /// Cancellation gives the batch in flight back (its committed epochs stay) and throws.</summary>
    public async Task RunAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var store = services.Store;
        while (true)
        {
            var lease = await store.TryClaimAsync(Owner, services.LeaseDuration, experimentId, cancellationToken);
            if (lease is not null)
            {
                await Grains.GetGrain<IReplicaGrain>(GrainKeys.ReplicaBatch(experimentId, lease.Batch.Batch)).TrainAsync(lease, cancellationToken);
                continue;
            }
            var experiment = await store.GetExperimentAsync(experimentId, cancellationToken)
                ?? throw new KeyNotFoundException($"No experiment '{experimentId}' in {store.Description}.");
            var held = (await store.ListBatchesAsync(experimentId, cancellationToken)).Where(b => b.CompletedEpochs < experiment.Epochs).ToArray();
            if (held.Length == 0)
            {
                break;
            }
            var until = held.Min(b => b.LeaseExpiresAt) ?? services.Time.GetUtcNow();
            Waiting?.Invoke($"batch {held[0].Batch.Batch} is leased by {held[0].Owner} until {until:HH:mm:ss} UTC (a run that stopped without giving it back); waiting for the lease to expire");
            var wait = until - services.Time.GetUtcNow();
            await Task.Delay(wait > TimeSpan.Zero ? wait + TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(500), services.Time, cancellationToken);
        }
        await CompleteFitsAsync(experimentId, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => runtime.DisposeAsync();

    private async Task CompleteFitsAsync(string experimentId, CancellationToken cancellationToken)
    {
        var experiment = (await services.Store.GetExperimentAsync(experimentId, cancellationToken))!;
        for (int epoch = 0; epoch <= experiment.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(Enumerable.Range(1, experiment.Layers).Select(layer =>
                Grains.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(experimentId, layer, epoch)).FoldAsync(0, experiment.Replicas)));
        }
    }
}
