using ILGPU;
using ILGPU.Runtime;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Gpu;

/// <summary>
/// The GPU trainer: every replica's weights, optimiser moments and working memory stay on the
/// device, with both splits of the dataset; an epoch of all replicas is one launch (a group of
/// threads per replica), and only each replica's data order and Adam's per-step scalars go up
/// (computed here exactly as the CPU trainer computes them) and its counters come down. A
/// replica's arithmetic involves no other replica, so its bits do not depend on the ensemble it
/// trains in; checkpoints are the CPU trainer's, so replicas move freely between the two.
/// </summary>
internal sealed class GpuEnsembleTrainer : IEnsembleTrainer
{
    private readonly GpuTrainerBackend backend;
    private readonly Dataset dataset;
    private readonly int samples;
    private readonly int steps;
    private readonly int[] weightOffsets;
    private readonly List<MemoryBuffer> buffers = [];
    private readonly EnsembleViews ensemble;
    private readonly SparseRows train;
    private readonly SparseRows test;
    private readonly ArrayView<int> testRows;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> slots;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> order;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> stepSizes;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> corrections;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> lossSums;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> stepsTaken;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> divergedLosses;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> diverged;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> correct;
    private readonly ReplicaStatus[] status;

    public GpuEnsembleTrainer(GpuTrainerBackend backend, TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas)
    {
        Shape = TrainerArguments.Validate(spec, dataset, replicas);
        this.backend = backend;
        this.dataset = dataset;
        Spec = spec;
        Replicas = replicas.ToArray();
        samples = TrainerArguments.Samples(spec, dataset);
        steps = (samples + spec.BatchSize - 1) / spec.BatchSize;
        int count = Replicas.Count;
        var layers = Shape.Layers;
        weightOffsets = new int[layers.Count];
        var activationOffsets = new int[layers.Count];
        for (int l = 1; l < layers.Count; l++)
        {
            weightOffsets[l] = weightOffsets[l - 1] + layers[l - 1].Weights;
            activationOffsets[l] = activationOffsets[l - 1] + spec.BatchSize * layers[l - 1].Outputs;
        }
        int parameters = weightOffsets[^1] + layers[^1].Weights;
        int activationStride = activationOffsets[^1] + spec.BatchSize * layers[^1].Outputs;
        bool adam = spec.Optimizer.Kind == OptimizerKind.Adam;
        Backend = $"gpu, {backend.DeviceName}, {backend.GroupSize} threads per replica";
        lock (backend.Gate)
        {
            ensemble = new EnsembleViews
            {
                Layers = layers.Count,
                Parameters = parameters,
                ActivationStride = activationStride,
                BatchCapacity = spec.BatchSize,
                TiledFrom = backend.TiledFrom,
                LayerInputs = Upload(layers.Select(layer => layer.Inputs).ToArray()),
                LayerOutputs = Upload(layers.Select(layer => layer.Outputs).ToArray()),
                WeightOffsets = Upload(weightOffsets),
                ActivationOffsets = Upload(activationOffsets),
                Baseline = dataset.Train.Baseline,
                Levels = Upload(dataset.Train.Levels),
                Weights = Upload(InitialWeights(parameters)),
                FirstMoments = Allocate<float>(adam ? (long)count * parameters : 1),
                SecondMoments = Allocate<float>(adam ? (long)count * parameters : 1),
                Gradients = Allocate<float>((long)count * parameters),
                Activations = Allocate<float>((long)count * activationStride),
                Deltas = Allocate<float>((long)count * activationStride),
                DenseTerms = Allocate<float>((long)count * 2 * layers[0].Outputs),
                SampleLosses = Allocate<float>((long)count * spec.BatchSize),
            };
            if (adam)
            {
                ensemble.FirstMoments.MemSetToZero();
                ensemble.SecondMoments.MemSetToZero();
            }
            train = Rows(dataset.Train);
            test = Rows(dataset.Test);
            testRows = Upload(dataset.Test.Rows);
            slots = Buffer<int>(count);
            order = Buffer<int>((long)count * samples);
            stepSizes = Buffer<float>((long)count * steps);
            corrections = Buffer<float>((long)count * steps);
            lossSums = Buffer<double>(count);
            stepsTaken = Buffer<int>(count);
            divergedLosses = Buffer<float>(count);
            diverged = Buffer<int>(count);
            correct = Buffer<int>(count);
        }
        status = Replicas.Select(replica => new ReplicaStatus(replica, 0, 0, double.NaN, 0)).ToArray();
    }

    public TrainingSpec Spec { get; }

    public NetworkShape Shape { get; }

    public IReadOnlyList<int> Replicas { get; }

    public string Backend { get; }

    public void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        int[] live = [.. Enumerable.Range(0, status.Length).Where(slot => !status[slot].Diverged)];
        if (live.Length == 0)
        {
            return;
        }
        var orders = new int[(long)status.Length * samples];
        var sizes = new float[(long)status.Length * steps];
        var roots = new float[(long)status.Length * steps];
        var optimizer = Spec.Optimizer;
        Parallel.ForEach(live, new ParallelOptions { CancellationToken = cancellationToken }, slot =>
        {
            TrainerArguments.DataOrder(Spec, status[slot].Replica, status[slot].EpochsCompleted, orders.AsSpan(slot * samples, samples));
            if (optimizer.Kind == OptimizerKind.Adam)
            {
                for (int step = 0; step < steps; step++)
                {
                    var adam = AdamCoefficients.For(optimizer.LearningRate, optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon, Spec.WeightDecay, status[slot].Steps + step + 1);
                    sizes[slot * steps + step] = adam.StepSize;
                    roots[slot * steps + step] = adam.BiasCorrection2Sqrt;
                }
            }
        });
        cancellationToken.ThrowIfCancellationRequested();
        var outcome = Launch(live, orders, sizes, roots, Spec.BatchSize, steps, gradientsOnly: false);
        for (int i = 0; i < live.Length; i++)
        {
            int slot = live[i];
            var before = status[slot];
            int epoch = before.EpochsCompleted;
            long stepsTotal = before.Steps + outcome.Steps[slot];
            status[slot] = outcome.Diverged[slot] switch
            {
                1 => before with { Steps = stepsTotal, DivergedAtEpoch = epoch + 1, LastTrainLoss = outcome.DivergedLosses[slot] },
                2 => before with { Steps = stepsTotal, DivergedAtEpoch = epoch + 1, LastTrainLoss = outcome.LossSums[slot] / outcome.Steps[slot] },
                _ => before with { Steps = stepsTotal, EpochsCompleted = epoch + 1, LastTrainLoss = outcome.LossSums[slot] / outcome.Steps[slot] },
            };
        }
        progress?.Report(live.Length);
    }

    public ReplicaStatus Status(int slot) => status[slot];

    public void CopyWeights(int slot, int layer, Span<float> destination)
    {
        var shape = Shape.Layers[layer];
        if (destination.Length != shape.Weights)
        {
            throw new ArgumentException($"Layer {layer} has {shape.Outputs}x{shape.Inputs} weights; the destination holds {destination.Length} floats.", nameof(destination));
        }
        Download(ensemble.Weights, (long)slot * ensemble.Parameters + weightOffsets[layer], shape.Weights).CopyTo(destination);
    }

    public IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var accuracy = new double[status.Length];
        int[] live = [.. Enumerable.Range(0, status.Length).Where(slot => !status[slot].Diverged)];
        int[] counts = new int[status.Length];
        if (live.Length > 0)
        {
            lock (backend.Gate)
            {
                slots.View.SubView(0, live.Length).CopyFromCPU(live);
                correct.MemSetToZero();
                backend.Evaluate(live.Length, new EvaluationViews
                {
                    Ensemble = ensemble,
                    Data = test,
                    Slots = slots.View,
                    Rows = testRows,
                    Count = dataset.TestCount,
                    Correct = correct.View,
                });
                correct.View.CopyToCPU(counts);
            }
        }
        for (int slot = 0; slot < status.Length; slot++)
        {
            accuracy[slot] = status[slot].Diverged || dataset.TestCount == 0 ? double.NaN : (double)counts[slot] / dataset.TestCount;
        }
        return accuracy;
    }

    public byte[] ExportState(int slot)
    {
        float[][] Layers(ArrayView<float> block) =>
            [.. Shape.Layers.Select((layer, l) => Download(block, (long)slot * ensemble.Parameters + weightOffsets[l], layer.Weights))];
        bool adam = Spec.Optimizer.Kind == OptimizerKind.Adam;
        var checkpoint = new ReplicaCheckpoint(Spec.Fingerprint, status[slot], Shape.Layers, Layers(ensemble.Weights),
            adam ? Layers(ensemble.FirstMoments) : null, adam ? Layers(ensemble.SecondMoments) : null);
        return checkpoint.Encode();
    }

    public void ImportState(int slot, ReadOnlySpan<byte> state)
    {
        var checkpoint = TrainerArguments.Checkpoint(state, Spec, Shape, slot, Replicas[slot]);
        long start = (long)slot * ensemble.Parameters;
        lock (backend.Gate)
        {
            ensemble.Weights.SubView(start, ensemble.Parameters).CopyFromCPU(Concatenated(checkpoint.Weights));
            if (checkpoint.FirstMoments is { } first && checkpoint.SecondMoments is { } second)
            {
                ensemble.FirstMoments.SubView(start, ensemble.Parameters).CopyFromCPU(Concatenated(first));
                ensemble.SecondMoments.SubView(start, ensemble.Parameters).CopyFromCPU(Concatenated(second));
            }
        }
        status[slot] = checkpoint.Status;
    }

    /// <summary>Mean loss and [out][in] gradients of one replica on the given training rows,
    /// without updating it: the backward pass as the optimiser would see it.</summary>
    internal float LossAndGradients(int slot, ReadOnlySpan<int> rows, float[][] gradients)
    {
        if (rows.Length is 0 || rows.Length > Spec.BatchSize)
        {
            throw new ArgumentException($"1 to {Spec.BatchSize} rows, the batch size, are evaluated at once; got {rows.Length}.", nameof(rows));
        }
        var orders = new int[(long)status.Length * samples];
        rows.CopyTo(orders.AsSpan(slot * samples));
        var outcome = Launch([slot], orders, new float[status.Length], new float[status.Length], rows.Length, 1, gradientsOnly: true);
        for (int l = 0; l < Shape.Layers.Count; l++)
        {
            Download(ensemble.Gradients, (long)slot * ensemble.Parameters + weightOffsets[l], Shape.Layers[l].Weights).CopyTo(gradients[l], 0);
        }
        return outcome.Diverged[slot] == 1 ? outcome.DivergedLosses[slot] : (float)outcome.LossSums[slot];
    }

    public void Dispose()
    {
        lock (backend.Gate)
        {
            foreach (var buffer in buffers)
            {
                buffer.Dispose();
            }
        }
    }

    private Outcome Launch(int[] live, int[] orders, float[] sizes, float[] roots, int batchSize, int stepCount, bool gradientsOnly)
    {
        var optimizer = Spec.Optimizer;
        var outcome = new Outcome(new double[status.Length], new int[status.Length], new float[status.Length], new int[status.Length]);
        lock (backend.Gate)
        {
            slots.View.SubView(0, live.Length).CopyFromCPU(live);
            order.View.CopyFromCPU(orders);
            stepSizes.View.SubView(0, sizes.Length).CopyFromCPU(sizes);
            corrections.View.SubView(0, roots.Length).CopyFromCPU(roots);
            backend.Train(live.Length, new EpochViews
            {
                Ensemble = ensemble,
                Data = train,
                Slots = slots.View,
                Order = order.View,
                Samples = samples,
                BatchSize = batchSize,
                Steps = stepCount,
                Adam = optimizer.Kind == OptimizerKind.Adam ? 1 : 0,
                LearningRate = (float)optimizer.LearningRate,
                WeightDecay = (float)Spec.WeightDecay,
                Beta1 = (float)optimizer.Beta1,
                OneMinusBeta1 = (float)(1 - optimizer.Beta1),
                Beta2 = (float)optimizer.Beta2,
                OneMinusBeta2 = (float)(1 - optimizer.Beta2),
                Epsilon = (float)optimizer.Epsilon,
                StepSizes = stepSizes.View,
                Corrections = corrections.View,
                GradientsOnly = gradientsOnly ? 1 : 0,
                LossSums = lossSums.View,
                StepsTaken = stepsTaken.View,
                DivergedLosses = divergedLosses.View,
                Diverged = diverged.View,
            });
            lossSums.View.CopyToCPU(outcome.LossSums);
            stepsTaken.View.CopyToCPU(outcome.Steps);
            divergedLosses.View.CopyToCPU(outcome.DivergedLosses);
            diverged.View.CopyToCPU(outcome.Diverged);
        }
        return outcome;
    }

    /// <summary>Every replica's initial weights, slot after slot, as the kernels lay them out.</summary>
    private float[] InitialWeights(int parameters)
    {
        var weights = new float[(long)Replicas.Count * parameters];
        Parallel.For(0, Replicas.Count, slot =>
        {
            for (int l = 0; l < Shape.Layers.Count; l++)
            {
                TrainerArguments.InitialWeights(Spec, Shape, Replicas[slot], l).CopyTo(weights, (long)slot * parameters + weightOffsets[l]);
            }
        });
        return weights;
    }

    private static float[] Concatenated(float[][] layers) => [.. layers.SelectMany(layer => layer)];

    private float[] Download(ArrayView<float> view, long start, int length)
    {
        var values = new float[length];
        lock (backend.Gate)
        {
            view.SubView(start, length).CopyToCPU(values);
        }
        return values;
    }

    private SparseRows Rows(SparseImages images) => new()
    {
        Offsets = Upload(images.Offsets),
        Entries = Upload(images.Entries.Length == 0 ? [0u] : images.Entries),
        Labels = Upload(images.Labels.Length == 0 ? [(byte)0] : images.Labels),
    };

    private MemoryBuffer1D<T, Stride1D.Dense> Buffer<T>(long length)
        where T : unmanaged
    {
        var buffer = backend.Accelerator.Allocate1D<T>(Math.Max(1, length));
        buffers.Add(buffer);
        return buffer;
    }

    private ArrayView<T> Allocate<T>(long length)
        where T : unmanaged => Buffer<T>(length).View;

    private ArrayView<T> Upload<T>(T[] values)
        where T : unmanaged
    {
        var buffer = backend.Accelerator.Allocate1D(values);
        buffers.Add(buffer);
        return buffer.View;
    }

    /// <summary>What a launch reports per slot.</summary>
    private sealed record Outcome(double[] LossSums, int[] Steps, float[] DivergedLosses, int[] Diverged);
}
