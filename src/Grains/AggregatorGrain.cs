using System.Buffers.Binary;
using System.Collections;
using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Interfaces;
using OrleansPigmm.Grains.Runtime;
using OrleansPigmm.Mathematics;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// The ensemble of one (experiment, layer, epoch). Its state is the exact accumulator of the
/// invariants of the replicas folded so far, which replicas those are, and how many of them
/// diverged; it is saved by compare-and-set together with the fit, so a replica's snapshot
/// counts once however often, in whatever order and from however many silos it is delivered,
/// and the fit depends only on the set of replicas folded.
/// </summary>
public sealed class AggregatorGrain(GrainContext context, GrainServices services) : IAggregatorGrain, IGrainLifecycle
{
    private const int MaxSaveAttempts = 16;

    private readonly EnsembleKey key = Key(context.Key);
    private ExperimentPlan plan = null!;
    private EnsembleAnalyzer analyzer = null!;
    private AggregateState state = null!;
    private PigmmModel? fitted;

    /// <inheritdoc />
    public async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        plan = await services.PlanAsync(key.ExperimentId, cancellationToken);
        analyzer = Analyzers.For(plan.Catalogue);
        await LoadAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<EnsembleProgress> FoldAsync(int firstReplica, int replicaCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstReplica);
        ArgumentOutOfRangeException.ThrowIfNegative(replicaCount);
        for (int attempt = 1; ; attempt++)
        {
            var next = state.Clone();
            int added = 0;
            await foreach (var snapshot in services.Store.ReadSnapshotsAsync(key, firstReplica, replicaCount, includeWeights: false))
            {
                added += next.Fold(snapshot) ? 1 : 0;
            }
            if (added == 0)
            {
                return Progress(state);
            }
            var fit = await FitAsync(next);
            var record = fit is null ? null : new FitRecord(key, next.Accumulator.Count, next.Diverged, JsonSerializer.Serialize(fit.Document, FitsJson.Options));
            if (await services.Store.SaveAggregateAsync(key, next.ToBytes(), state.Version, record))
            {
                next.Version = state.Version + 1;
                state = next;
                fitted = fit?.Model ?? fitted;
                return Progress(state);
            }
            if (attempt == MaxSaveAttempts)
            {
                throw new InvalidOperationException($"The aggregate of {key} kept changing under {MaxSaveAttempts} attempts to fold replicas {firstReplica}..{firstReplica + replicaCount - 1}.");
            }
            // Another silo saved first: start again from what it saved.
            await LoadAsync(CancellationToken.None);
        }
    }

    /// <inheritdoc />
    public Task<double[]?> GetFitParametersAsync() => Task.FromResult(fitted?.Parameters.ToArray());

    private static EnsembleProgress Progress(AggregateState state) =>
        new((int)state.Accumulator.Count + state.Diverged, state.Diverged, state.Accumulator.Count >= 2);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var stored = await services.Store.GetAggregateAsync(key, cancellationToken);
        state = stored is null
            ? AggregateState.Empty(plan, 0)
            : AggregateState.FromBytes(stored.State.Span, plan, stored.Version);
        fitted = state.Accumulator.Count >= 2 ? TryAnalyze(state)?.Model : null;
    }

    /// <summary>The fit of the state with its distances (null with fewer than 2 finite matrices,
    /// or if rounding made the fitted covariance indefinite).</summary>
    private async Task<EnsembleFit?> FitAsync(AggregateState next)
    {
        var fit = TryAnalyze(next);
        if (fit is null)
        {
            return null;
        }
        var epoch0 = key.Epoch == 0 ? fit.Model : await NeighbourAsync(0);
        var previous = key.Epoch == 0 ? null : key.Epoch == 1 ? epoch0 : await NeighbourAsync(key.Epoch - 1);
        var (w2, w2Squared) = EnsembleAnalyzer.Distances(fit.Model, fit.Document.Samples, plan.InitialLaw?.Variance, epoch0, previous);
        return fit with
        {
            Document = fit.Document with { Layer = key.Layer, Epoch = key.Epoch, W2 = w2, W2Squared = w2Squared, Diverged = next.Diverged },
        };
    }

    private EnsembleFit? TryAnalyze(AggregateState candidate)
    {
        if (candidate.Accumulator.Count < 2)
        {
            return null;
        }
        try
        {
            return analyzer.Analyze(candidate.Accumulator, plan.InitialLaw);
        }
        catch (InvalidModelException)
        {
            return null;
        }
    }

    // Earlier epochs never ask later ones, so these calls cannot wait on each other in a cycle.
    private async Task<PigmmModel?> NeighbourAsync(int epoch)
    {
        var parameters = await context.GrainFactory.GetGrain<IAggregatorGrain>(GrainKeys.Ensemble(key.ExperimentId, key.Layer, epoch)).GetFitParametersAsync();
        return parameters is null ? null : new PigmmModel(plan.MatrixSize, PigmmParameters.FromArray(parameters));
    }

    private static EnsembleKey Key(string grainKey)
    {
        var (experimentId, layer, epoch) = GrainKeys.ParseEnsemble(grainKey);
        return new EnsembleKey(experimentId, layer, epoch);
    }

    /// <summary>One analyzer per catalogue: its compiled expectation plan and cached law moments serve every ensemble.</summary>
    private static class Analyzers
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, EnsembleAnalyzer> ByCatalogue = new();

        public static EnsembleAnalyzer For(InvariantCatalog catalogue) => ByCatalogue.GetOrAdd(catalogue.Key, _ => new EnsembleAnalyzer(catalogue));
    }
}

/// <summary>
/// An aggregator's stored state. Layout (little-endian): int32 R; the folded-replica bitmap,
/// ceil(R / 8) bytes, replica r at bit r % 8 of byte r / 8; int32 diverged count; then the
/// accumulator's own stored form (<see cref="InvariantAccumulator.ToBytes"/>, checksummed).
/// </summary>
internal sealed class AggregateState(InvariantAccumulator accumulator, BitArray folded, int diverged, long version)
{
    public InvariantAccumulator Accumulator { get; } = accumulator;

    public BitArray Folded { get; } = folded;

    /// <summary>The store's version of this state (0 before the first save).</summary>
    public long Version { get; set; } = version;

    public static AggregateState Empty(ExperimentPlan plan, long version) =>
        new(new InvariantAccumulator(plan.Catalogue.Key, plan.Catalogue.Count, plan.MatrixSize), new BitArray(plan.Spec.Replicas), 0, version);

    public int Diverged { get; private set; } = diverged;

    public AggregateState Clone() => new(Accumulator.Clone(), new BitArray(Folded), Diverged, Version);

    /// <summary>Folds one snapshot; false if its replica was folded already.</summary>
    public bool Fold(SnapshotRecord snapshot)
    {
        if (Folded[snapshot.Replica])
        {
            return false;
        }
        Folded[snapshot.Replica] = true;
        if (snapshot.Diverged)
        {
            Diverged++;
        }
        else
        {
            Accumulator.Add(snapshot.Invariants);
        }
        return true;
    }

    public byte[] ToBytes()
    {
        var accumulator = Accumulator.ToBytes();
        int bitmapLength = (Folded.Length + 7) / 8;
        var bytes = new byte[sizeof(int) + bitmapLength + sizeof(int) + accumulator.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Folded.Length);
        Folded.CopyTo(bytes, sizeof(int));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(sizeof(int) + bitmapLength), Diverged);
        accumulator.CopyTo(bytes, 2 * sizeof(int) + bitmapLength);
        return bytes;
    }

    /// <exception cref="InvalidDataException">The bytes are not an aggregate of this experiment.</exception>
    public static AggregateState FromBytes(ReadOnlySpan<byte> bytes, ExperimentPlan plan, long version)
    {
        int replicas = plan.Spec.Replicas, bitmapLength = (replicas + 7) / 8;
        if (bytes.Length < 2 * sizeof(int) + bitmapLength || BinaryPrimitives.ReadInt32LittleEndian(bytes) != replicas)
        {
            throw new InvalidDataException($"The stored aggregate is not one of an experiment of {replicas} replicas.");
        }
        var folded = new BitArray(bytes.Slice(sizeof(int), bitmapLength).ToArray()) { Length = replicas };
        int diverged = BinaryPrimitives.ReadInt32LittleEndian(bytes[(sizeof(int) + bitmapLength)..]);
        var accumulator = InvariantAccumulator.FromBytes(bytes[(2 * sizeof(int) + bitmapLength)..], plan.Catalogue.Key);
        return new AggregateState(accumulator, folded, diverged, version);
    }
}
