using System.Collections.Concurrent;
using System.Runtime.Intrinsics;
using OrleansPigmm.Training.Cpu.Kernels;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Cpu;

/// <summary>
/// The CPU trainer: each replica trains single-threaded through a whole epoch (its weights and
/// Adam state, ~150 KB for the paper's net, stay in the core's cache), and replicas are spread over
/// the worker threads. A replica's arithmetic never involves another replica, which is what makes
/// its weights independent of the batch of replicas and of the thread count.
/// </summary>
internal sealed class CpuEnsembleTrainer : IEnsembleTrainer
{
    private readonly Dataset dataset;
    private readonly TrainerOptions options;
    private readonly IReplicaEngine engine;
    private readonly ReplicaState[] states;
    private readonly ConcurrentBag<Workspace> workspaces = [];
    private readonly List<Workspace> allWorkspaces = [];
    private readonly int samples;

    public CpuEnsembleTrainer(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas, TrainerOptions options)
    {
        Shape = TrainerArguments.Validate(spec, dataset, replicas);
        if (options.Threads < 1)
        {
            throw new ArgumentException($"At least one thread is needed; got {options.Threads}.", nameof(options));
        }
        Spec = spec;
        this.dataset = dataset;
        this.options = options;
        Replicas = replicas.ToArray();
        samples = TrainerArguments.Samples(spec, dataset);
        int bits = options.ResolvedBits;
        engine = bits switch
        {
            512 => new ReplicaEngine<Vector512Ops, Vector512<float>>(new PaddedLayout(Shape, Vector512<float>.Count), spec, dataset.Classes),
            256 => new ReplicaEngine<Vector256Ops, Vector256<float>>(new PaddedLayout(Shape, Vector256<float>.Count), spec, dataset.Classes),
            _ => new ReplicaEngine<Vector128Ops, Vector128<float>>(new PaddedLayout(Shape, Vector128<float>.Count), spec, dataset.Classes),
        };
        Backend = $"cpu, {bits}-bit vectors, {options.Threads} threads";
        bool moments = spec.Optimizer.Kind == OptimizerKind.Adam;
        states = Replicas.Select(r => new ReplicaState(r, engine.Layout, moments)).ToArray();
        Parallel.For(0, states.Length, Parallelism(CancellationToken.None), slot => Initialize(states[slot]));
    }

    public TrainingSpec Spec { get; }

    public NetworkShape Shape { get; }

    public IReadOnlyList<int> Replicas { get; }

    public string Backend { get; }

    public void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        int finished = 0;
        ForEachReplica(cancellationToken, (slot, workspace) =>
        {
            engine.TrainEpoch(states[slot], workspace, dataset.Train, samples);
            progress?.Report(Interlocked.Increment(ref finished));
        });
    }

    public ReplicaStatus Status(int slot)
    {
        var state = states[slot];
        return new ReplicaStatus(state.Replica, state.EpochsCompleted, state.Steps, state.LastTrainLoss, state.DivergedAtEpoch);
    }

    public void CopyWeights(int slot, int layer, Span<float> destination)
    {
        var shape = Shape.Layers[layer];
        if (destination.Length != shape.Weights)
        {
            throw new ArgumentException($"Layer {layer} has {shape.Outputs}x{shape.Inputs} weights; the destination holds {destination.Length} floats.", nameof(destination));
        }
        engine.Layout.Unpack(layer, states[slot].Weights(layer), destination);
    }

    public IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default)
    {
        var accuracy = new double[states.Length];
        ForEachReplica(cancellationToken, (slot, workspace) =>
            accuracy[slot] = states[slot].DivergedAtEpoch != 0 ? double.NaN : engine.Accuracy(states[slot], workspace, dataset.Test));
        return accuracy;
    }

    public byte[] ExportState(int slot)
    {
        var state = states[slot];
        var layout = engine.Layout;
        float[][] Unpacked(Func<int, Span<float>> block) => Enumerable.Range(0, layout.LayerCount).Select(l =>
        {
            var matrix = new float[Shape.Layers[l].Weights];
            layout.Unpack(l, block(l), matrix);
            return matrix;
        }).ToArray();
        var checkpoint = new ReplicaCheckpoint(Spec.Fingerprint, Status(slot), Shape.Layers, Unpacked(state.Weights),
            state.HasMoments ? Unpacked(state.FirstMoment) : null, state.HasMoments ? Unpacked(state.SecondMoment) : null);
        return checkpoint.Encode();
    }

    public void ImportState(int slot, ReadOnlySpan<byte> bytes)
    {
        var state = states[slot];
        var checkpoint = TrainerArguments.Checkpoint(bytes, Spec, Shape, slot, state.Replica);
        var layout = engine.Layout;
        for (int l = 0; l < layout.LayerCount; l++)
        {
            layout.Pack(l, checkpoint.Weights[l], state.Weights(l));
            if (state.HasMoments)
            {
                layout.Pack(l, checkpoint.FirstMoments![l], state.FirstMoment(l));
                layout.Pack(l, checkpoint.SecondMoments![l], state.SecondMoment(l));
            }
        }
        state.Steps = checkpoint.Status.Steps;
        state.EpochsCompleted = checkpoint.Status.EpochsCompleted;
        state.DivergedAtEpoch = checkpoint.Status.DivergedAtEpoch;
        state.LastTrainLoss = checkpoint.Status.LastTrainLoss;
    }

    /// <summary>Mean loss and [out][in] gradients of one replica on the given training rows,
    /// without updating it: the backward pass as the optimiser would see it.</summary>
    internal float LossAndGradients(int slot, ReadOnlySpan<int> rows, float[][] gradients)
    {
        var workspace = Rent();
        try
        {
            float loss = engine.LossAndGradients(states[slot], workspace, dataset.Train, rows);
            var layout = engine.Layout;
            for (int l = 0; l < layout.LayerCount; l++)
            {
                var block = workspace.Gradients(l);
                if (l == 0)
                {
                    // The sparse part plus the dense offset x0 · Σ_b δ_b on every row.
                    int ld = layout.Ld[0];
                    for (int i = 0; i < block.Length; i++)
                    {
                        block[i] += workspace.Offset[i % ld];
                    }
                }
                layout.Unpack(l, block, gradients[l]);
            }
            return loss;
        }
        finally
        {
            workspaces.Add(workspace);
        }
    }

    public void Dispose()
    {
        foreach (var state in states)
        {
            state.Dispose();
        }
        foreach (var workspace in allWorkspaces)
        {
            workspace.Dispose();
        }
    }

    private void Initialize(ReplicaState state)
    {
        for (int l = 0; l < Shape.Layers.Count; l++)
        {
            engine.Layout.Pack(l, TrainerArguments.InitialWeights(Spec, Shape, state.Replica, l), state.Weights(l));
        }
    }

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken, TaskScheduler = options.Scheduler ?? TaskScheduler.Default };

    private void ForEachReplica(CancellationToken cancellationToken, Action<int, Workspace> body)
    {
        Parallel.For(0, states.Length, Parallelism(cancellationToken), Rent, (slot, _, workspace) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            body(slot, workspace);
            return workspace;
        }, workspaces.Add);
    }

    private Workspace Rent()
    {
        if (workspaces.TryTake(out var workspace))
        {
            return workspace;
        }
        workspace = new Workspace(engine.Layout, Spec.BatchSize, samples);
        lock (allWorkspaces)
        {
            allWorkspaces.Add(workspace);
        }
        return workspace;
    }
}
