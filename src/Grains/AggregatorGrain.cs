using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Telemetry;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// The ensemble of one (experiment, layer, epoch). Replicas deliver their invariants in the call;
/// the grain folds each replica once (<see cref="EnsembleState"/>), refits at most every
/// <see cref="RefitInterval"/> while replicas arrive and at once when the last one does, and
/// publishes the fit to the store and to the experiment's subscribers.
/// </summary>
/// <remarks>
/// The Wasserstein distances of a fit are computed here and nowhere else: W2 to the simple
/// Gaussian with every fit; W2 to the layer's epoch-0 fit and to the previous epoch's fit with
/// the final fit only, from those fits once complete, so the published distances depend on the
/// spec alone. Epoch e asks only epochs 0 and e - 1, so these calls never wait on each other in a
/// cycle. Non-reentrant: folds and refits of one ensemble run one at a time.
/// </remarks>
public sealed class AggregatorGrain(IPigmmStore store, ExperimentPlans plans) : Grain, IAggregatorGrain
{
    /// <summary>Shortest time between two refits while replicas arrive.</summary>
    public static readonly TimeSpan RefitInterval = TimeSpan.FromMilliseconds(200);

    // Transient, rebuilt on activation from the committed snapshot rows.
    private EnsembleKey key = null!;
    private ExperimentPlan plan = null!;
    private EnsembleAnalyzer analyzer = null!;
    private EnsembleState state = null!;
    private EnsembleFit? fit;
    private bool stale;
    private bool finalPublished;
    private IGrainTimer? refit;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (experimentId, layer, epoch) = GrainKeys.ParseEnsemble(this.GetPrimaryKeyString());
        key = new EnsembleKey(experimentId, layer, epoch);
        plan = await plans.PlanAsync(experimentId, cancellationToken);
        analyzer = Analyzers.For(plan.Catalogue);
        state = new EnsembleState(plan);
        await FoldStoredAsync(cancellationToken);
        if (state.FoldedCount > 0)
        {
            ScheduleRefit();
        }
    }

    /// <inheritdoc />
    async Task<EnsembleProgress> IAggregatorGrain.FoldAsync(ReplicaInvariants contribution)
    {
        ArgumentNullException.ThrowIfNull(contribution);
        using var span = PigmmTelemetry.Source.StartActivity("pigmm.aggregator.fold")
            ?.SetTag("pigmm.ensemble", this.GetPrimaryKeyString()).SetTag("pigmm.replica", contribution.Replica).SetTag("pigmm.silo", RuntimeIdentity);
        if (state.Fold(contribution))
        {
            stale = true;
            if (state.IsComplete)
            {
                await PublishAsync();
            }
            else
            {
                ScheduleRefit();
            }
        }
        return Progress();
    }

    /// <inheritdoc />
    async Task<EnsembleProgress> IAggregatorGrain.CompleteAsync()
    {
        await CompleteFitAsync();
        return Progress();
    }

    /// <inheritdoc />
    async Task<double[]?> IAggregatorGrain.GetCompleteParametersAsync()
    {
        await CompleteFitAsync();
        return fit?.Model.Parameters.ToArray();
    }

    private EnsembleProgress Progress() => new(state.FoldedCount, state.Diverged, fit is not null, state.IsComplete);

    private async Task CompleteFitAsync()
    {
        if (!state.IsComplete)
        {
            await FoldStoredAsync(CancellationToken.None);
        }
        if (stale || (state.IsComplete && !finalPublished))
        {
            await PublishAsync();
        }
    }

    /// <summary>Folds the committed rows of replicas no call has delivered yet.</summary>
    private async Task FoldStoredAsync(CancellationToken cancellationToken)
    {
        await foreach (var snapshot in store.ReadSnapshotsAsync(key, 0, plan.Spec.Replicas, includeWeights: false, cancellationToken))
        {
            if (!state.Folded[snapshot.Replica])
            {
                state.Fold(new ReplicaInvariants(snapshot.Replica, snapshot.Diverged, snapshot.Invariants));
                stale = true;
            }
        }
    }

    private void ScheduleRefit()
    {
        refit ??= this.RegisterGrainTimer(RefitAsync, new GrainTimerCreationOptions(RefitInterval, Timeout.InfiniteTimeSpan));
    }

    private async Task RefitAsync()
    {
        refit?.Dispose();
        refit = null;
        if (stale)
        {
            await PublishAsync();
        }
    }

    /// <summary>Refits the current state and publishes the fit (when there are at least 2 finite
    /// matrices and the fitted covariance is positive definite).</summary>
    private async Task PublishAsync()
    {
        using var span = PigmmTelemetry.Source.StartActivity("pigmm.aggregator.refit")
            ?.SetTag("pigmm.ensemble", this.GetPrimaryKeyString()).SetTag("pigmm.silo", RuntimeIdentity);
        long started = Stopwatch.GetTimestamp();
        await RefitAndPublishAsync(span);
        PigmmTelemetry.RefitTime.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private async Task RefitAndPublishAsync(Activity? span)
    {
        stale = false;
        bool complete = state.IsComplete;
        var analysed = Analyze();
        if (analysed is null)
        {
            fit = null;
            finalPublished = complete;
            return;
        }
        var own = new PigmmModel(plan.MatrixSize, PigmmParameters.FromArray(analysed.Model.Parameters.ToArray()));
        var (epoch0, previous) = complete ? await CompleteNeighboursAsync() : (null, null);
        var (w2, w2Squared) = EnsembleAnalyzer.Distances(own, analysed.Document.Samples, plan.InitialLaw?.Variance, epoch0, previous);
        if (complete && key.Epoch == 0)
        {
            // The epoch-0 fit is its own epoch-0 reference: exactly 0, not the rounding of a distance to itself.
            (w2, w2Squared) = (w2 with { Epoch0 = 0 }, w2Squared with { Epoch0 = 0 });
        }
        span?.SetTag("pigmm.samples", analysed.Document.Samples).SetTag("pigmm.complete", complete);
        var document = analysed.Document with { Layer = key.Layer, Epoch = key.Epoch, W2 = w2, W2Squared = w2Squared, Diverged = state.Diverged };
        fit = analysed with { Document = document };
        await store.PublishFitAsync(new FitRecord(key, document.Samples, state.Diverged, JsonSerializer.Serialize(document, FitsJson.Options)));
        finalPublished = complete;
        var summary = new FitSummary(key.ExperimentId, key.Layer, key.Epoch, document.Samples, state.Diverged, complete,
            [.. document.Params], w2Squared.SimpleGaussian,
            document.Invariants.Where(i => i.Degree >= 3 && i.Deviation is not null).Select(i => i.Deviation).Max());
        GrainFactory.GetGrain<IExperimentGrain>(key.ExperimentId).FitPublishedAsync(summary).Ignore();
    }

    private EnsembleFit? Analyze()
    {
        if (state.Accumulator.Count < 2)
        {
            return null;
        }
        try
        {
            return analyzer.Analyze(state.Accumulator, plan.InitialLaw);
        }
        catch (InvalidModelException)
        {
            // Rounding can make the covariance of a degenerate ensemble indefinite: no fit for now.
            return null;
        }
    }

    private async Task<(PigmmModel? Epoch0, PigmmModel? Previous)> CompleteNeighboursAsync()
    {
        if (key.Epoch == 0)
        {
            return (null, null);
        }
        var epoch0 = Model(await Neighbour(0).GetCompleteParametersAsync());
        var previous = key.Epoch == 1 ? epoch0 : Model(await Neighbour(key.Epoch - 1).GetCompleteParametersAsync());
        return (epoch0, previous);
    }

    private IAggregatorGrain Neighbour(int epoch) => GrainFactory.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(key.ExperimentId, key.Layer, epoch));

    private PigmmModel? Model(double[]? parameters) =>
        parameters is null ? null : new PigmmModel(plan.MatrixSize, PigmmParameters.FromArray(parameters));

    /// <summary>One analyzer per catalogue: its compiled expectation plan and cached law moments serve every ensemble of the silo.</summary>
    private static class Analyzers
    {
        private static readonly ConcurrentDictionary<string, EnsembleAnalyzer> ByCatalogue = new();

        public static EnsembleAnalyzer For(InvariantCatalog catalogue) => ByCatalogue.GetOrAdd(catalogue.Key, _ => new EnsembleAnalyzer(catalogue));
    }
}
