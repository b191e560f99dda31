using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;
using OrleansPigmm.Training.Gpu;

namespace OrleansPigmm.Silo.Training;

/// <summary>
/// A silo's training device over a trainer backend: the CPU device (<c>--device cpu:N</c>, see
/// <see cref="Cpu"/>) is N threads of its own and the batched SIMD trainer; the GPU device
/// (<c>--device gpu:K</c>, see <see cref="Gpu"/>) is the GPU backend on one CUDA device. Requests wait in a
/// queue ordered by (epoch, replica); a round takes
/// from its head as many replicas as the memory budget holds, loads their states, trains each
/// group of one spec as one ensemble (the trainer spreads replicas over the threads), and hands
/// every replica its state, weights and accuracy back. Each replica's arithmetic is its own, so
/// results are bit-identical whatever the rounds, groups, threads or silos.
/// </summary>
public sealed class TrainingDevice : ITrainingDevice, IDisposable
{
    /// <summary>Training state one device keeps resident at most (weights and optimiser moments).</summary>
    public const long DefaultMemoryBudget = 256L << 20;

    /// <summary>How long a round waits for the replicas of the previous round to come back
    /// before it starts with those that did.</summary>
    public static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(100);

    private readonly object gate = new();
    private readonly PriorityQueue<Waiting, (int Epoch, int Replica)> waiting = new();
    private readonly SemaphoreSlim arrived = new(0);
    private readonly CancellationTokenSource disposing = new();
    private readonly ConcurrentDictionary<string, Lazy<Dataset>> datasets = new();
    private readonly Func<string, Dataset> loadDataset;
    private readonly ITrainerBackend backend;
    private readonly TaskScheduler scheduler;
    private readonly IDisposable? owned;
    private readonly long memoryBudget;
    private readonly Thread loop;
    private int lastRoundSize;
    private ResidentTrainer? resident;
    private long replicaEpochs;

    /// <summary>A device that trains with <paramref name="backend"/>.</summary>
    /// <param name="backend">Creates the trainers of each round.</param>
    /// <param name="description">Describes the device, e.g. "cpu, 2 threads, 512-bit vectors".</param>
    /// <param name="trainingSlots">Replicas trained at once at full speed (the placement weight).</param>
    /// <param name="loadDataset">Loads a dataset by name (each is loaded once, on first use).</param>
    /// <param name="memoryBudget">Bytes of training state resident at most.</param>
    /// <param name="scheduler">Where the device's own parallel work (exporting states) runs: the
    /// backend's threads; null for the thread pool.</param>
    /// <param name="owned">Disposed with the device (e.g. the threads the backend runs on).</param>
    public TrainingDevice(ITrainerBackend backend, string description, int trainingSlots, Func<string, Dataset> loadDataset,
        long memoryBudget = DefaultMemoryBudget, TaskScheduler? scheduler = null, IDisposable? owned = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingSlots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryBudget, 1);
        this.backend = backend ?? throw new ArgumentNullException(nameof(backend));
        this.loadDataset = loadDataset ?? throw new ArgumentNullException(nameof(loadDataset));
        this.memoryBudget = memoryBudget;
        this.scheduler = scheduler ?? TaskScheduler.Default;
        this.owned = owned;
        Description = description;
        TrainingSlots = trainingSlots;
        loop = new Thread(Run) { IsBackground = true, Name = "training device" };
        loop.Start();
    }

    /// <summary>The CPU device: <paramref name="threads"/> threads of its own (never the grain
    /// scheduler's) running the batched SIMD trainer; as many training slots as threads.</summary>
    public static TrainingDevice Cpu(int threads, VectorWidth vectorWidth, Func<string, Dataset> loadDataset, long memoryBudget = DefaultMemoryBudget)
    {
        var scheduler = new DedicatedThreadScheduler(threads, "training");
        var backend = new CpuTrainerBackend(new TrainerOptions { Threads = threads, VectorWidth = vectorWidth, Scheduler = scheduler });
        return new TrainingDevice(backend, $"cpu, {threads} threads, {backend.Options.ResolvedBits}-bit vectors", threads, loadDataset, memoryBudget, scheduler, scheduler);
    }

    /// <summary>
    /// The GPU device: <paramref name="backend"/> on its CUDA device (or ILGPU's CPU accelerator),
    /// owned by the device. Its training slots, the placement weight, are the replicas the GPU trains at once
    /// (a group of threads each on every multiprocessor), and half its memory holds training state.
    /// </summary>
    public static TrainingDevice Gpu(GpuTrainerBackend backend, Func<string, Dataset> loadDataset)
    {
        ArgumentNullException.ThrowIfNull(backend);
        string description = string.Create(CultureInfo.InvariantCulture,
            $"{backend.Label} {backend.DeviceName}, {backend.MemoryBytes / (1L << 30)} GiB, {backend.ConcurrentReplicas} replicas at once");
        return new TrainingDevice(backend, description, backend.ConcurrentReplicas, loadDataset, Math.Max(DefaultMemoryBudget, backend.MemoryBytes / 2), owned: backend);
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public int TrainingSlots { get; }

    /// <summary>Replica-epochs trained (or initialised) so far.</summary>
    public long ReplicaEpochs => Interlocked.Read(ref replicaEpochs);

    /// <inheritdoc />
    public Task<TrainedEpoch> TrainAsync(EpochRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(disposing.IsCancellationRequested, this);
        var entry = new Waiting(request, new TaskCompletionSource<TrainedEpoch>(TaskCreationOptions.RunContinuationsAsynchronously));
        entry.Registration = cancellationToken.Register(() => entry.Result.TrySetCanceled(cancellationToken));
        lock (gate)
        {
            waiting.Enqueue(entry, (request.Epoch, request.Replica));
        }
        arrived.Release();
        return entry.Result.Task;
    }

    /// <summary>Abandons the queued and running epochs and stops the threads.</summary>
    public void Dispose()
    {
        if (disposing.IsCancellationRequested)
        {
            return;
        }
        disposing.Cancel();
        loop.Join();
        lock (gate)
        {
            while (waiting.TryDequeue(out var entry, out _))
            {
                entry.Result.TrySetCanceled();
            }
        }
        resident?.Dispose();
        owned?.Dispose();
        disposing.Dispose();
    }

    private void Run()
    {
        var token = disposing.Token;
        try
        {
            while (true)
            {
                arrived.Wait(token);
                GatherRound(token);
                var round = TakeRound();
                lastRoundSize = round.Count;
                // A fingerprint identifies a spec; epoch-0 requests are initialised, not trained.
                foreach (var group in round.GroupBy(w => (w.Request.Spec.Fingerprint, Initialise: w.Request.Epoch == 0)))
                {
                    TrainGroup(group.First().Request.Spec, group.Key.Initialise, [.. group], token);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits (a little) for the replicas of the last round to ask again, so that they
    /// train together instead of in ragged rounds.</summary>
    private void GatherRound(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Gathering)
        {
            lock (gate)
            {
                if (waiting.Count >= lastRoundSize)
                {
                    return;
                }
            }
            token.WaitHandle.WaitOne(1);
            token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The head of the queue, as far as the memory budget goes (at least one request).</summary>
    private List<Waiting> TakeRound()
    {
        var round = new List<Waiting>();
        long bytes = 0;
        int dequeued = 0;
        lock (gate)
        {
            while (waiting.TryPeek(out var next, out _) && (round.Count == 0 || bytes + next.Request.StateBytes <= memoryBudget))
            {
                waiting.Dequeue();
                dequeued++;
                // A request cancelled while it waited is dropped here.
                if (!next.Result.Task.IsCompleted)
                {
                    round.Add(next);
                    bytes += next.Request.StateBytes;
                }
            }
        }
        // Each arrival released the semaphore once; the loop consumed one count for this round.
        for (int i = 1; i < dequeued; i++)
        {
            arrived.Wait(0);
        }
        return round;
    }

    private void TrainGroup(TrainingSpec spec, bool initialise, Waiting[] group, CancellationToken token)
    {
        try
        {
            var states = initialise ? null : LoadStates(group, token);
            var live = group.Where((w, i) => states is null || states[i] is not null).ToArray();
            if (live.Length == 0)
            {
                return;
            }
            var replicas = live.Select(w => w.Request.Replica).ToArray();
            var trainer = Resident(spec, replicas);
            int[] slots = [.. replicas.Select(trainer.SlotOf)];
            if (states is not null)
            {
                var loaded = states.Where(s => s is not null).Select(s => s!.Value).ToArray();
                for (int i = 0; i < live.Length; i++)
                {
                    trainer.Load(slots[i], loaded[i]);
                }
                trainer.Trainer.TrainEpoch(cancellationToken: token);
            }
            var accuracy = trainer.Trainer.EvaluateTestAccuracy(token);
            // Exporting states is a tenth of an epoch's work for the paper's net: spread it over the device's threads.
            Parallel.For(0, live.Length, new ParallelOptions { MaxDegreeOfParallelism = TrainingSlots, TaskScheduler = scheduler }, i =>
            {
                int slot = slots[i];
                var weights = live[i].Request.CopiedLayers.Select(layer =>
                {
                    var shape = trainer.Trainer.Shape.Layers[layer];
                    var copy = new float[shape.Inputs * shape.Outputs];
                    trainer.Trainer.CopyWeights(slot, layer, copy);
                    return copy;
                }).ToArray();
                live[i].Complete(new TrainedEpoch(trainer.Export(slot), trainer.Trainer.Status(slot), weights, accuracy[slot]));
            });
            Interlocked.Add(ref replicaEpochs, live.Length);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception error)
        {
            // The resident trainer may be half-trained: start afresh from the replicas' states.
            resident?.Dispose();
            resident = null;
            foreach (var entry in group)
            {
                entry.Fail(error);
            }
        }
    }

    /// <summary>The trainer of the last round when this round trains exactly its replicas (their
    /// states are in it already), else a new one in its place.</summary>
    private ResidentTrainer Resident(TrainingSpec spec, int[] replicas)
    {
        if (resident is not null && resident.Holds(spec, replicas))
        {
            return resident;
        }
        resident?.Dispose();
        resident = null;
        var dataset = datasets.GetOrAdd(spec.Dataset, name => new Lazy<Dataset>(() => loadDataset(name))).Value;
        resident = new ResidentTrainer(backend.Create(spec, dataset, replicas));
        return resident;
    }

    /// <summary>Each request's state, or null where loading failed (that request has failed).</summary>
    private static ReadOnlyMemory<byte>?[] LoadStates(Waiting[] group, CancellationToken token)
    {
        var loads = group.Select(w => w.Request.LoadState(token)).ToArray();
        var states = new ReadOnlyMemory<byte>?[group.Length];
        for (int i = 0; i < group.Length; i++)
        {
            try
            {
                states[i] = loads[i].GetAwaiter().GetResult();
            }
            catch (Exception error) when (error is not OperationCanceledException || !token.IsCancellationRequested)
            {
                group[i].Fail(error);
            }
        }
        return states;
    }

    /// <summary>
    /// A trainer kept from round to round. When the replicas of a round are the ones it holds, and a
    /// replica's state is the very array it exported last (the replica was not trained since), the
    /// state is in the trainer already and is not imported again; the results are the same bits
    /// either way, only the copying is saved.
    /// </summary>
    private sealed class ResidentTrainer(IEnsembleTrainer trainer) : IDisposable
    {
        private readonly Dictionary<int, int> slots = trainer.Replicas.Select((replica, slot) => (replica, slot)).ToDictionary(p => p.replica, p => p.slot);
        private readonly byte[]?[] exported = new byte[trainer.Replicas.Count][];

        public IEnsembleTrainer Trainer { get; } = trainer;

        public int SlotOf(int replica) => slots[replica];

        public bool Holds(TrainingSpec spec, int[] replicas) =>
            Trainer.Spec.Fingerprint == spec.Fingerprint && replicas.Length == slots.Count && replicas.All(slots.ContainsKey);

        public void Load(int slot, ReadOnlyMemory<byte> state)
        {
            bool current = MemoryMarshal.TryGetArray(state, out var segment) && segment.Array is { } array
                && ReferenceEquals(array, exported[slot]) && segment.Offset == 0 && segment.Count == array.Length;
            if (!current)
            {
                Trainer.ImportState(slot, state.Span);
            }
            exported[slot] = null;
        }

        public byte[] Export(int slot) => exported[slot] = Trainer.ExportState(slot);

        public void Dispose() => Trainer.Dispose();
    }

    private sealed class Waiting(EpochRequest request, TaskCompletionSource<TrainedEpoch> result)
    {
        public EpochRequest Request { get; } = request;

        public TaskCompletionSource<TrainedEpoch> Result { get; } = result;

        public CancellationTokenRegistration Registration { get; set; }

        public void Complete(TrainedEpoch epoch)
        {
            Registration.Dispose();
            Result.TrySetResult(epoch);
        }

        public void Fail(Exception error)
        {
            Registration.Dispose();
            Result.TrySetException(error);
        }
    }
}
