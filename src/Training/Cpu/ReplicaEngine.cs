using OrleansPigmm.Training.Cpu.Kernels;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Cpu;

/// <summary>Trains and evaluates one replica at a time with the kernels of one vector width.</summary>
internal interface IReplicaEngine
{
    PaddedLayout Layout { get; }

    /// <summary>Trains the replica's next epoch (unless it has diverged) and updates its counters.</summary>
    void TrainEpoch(ReplicaState state, Workspace workspace, SparseImages train, int samples);

    /// <summary>Fraction of <paramref name="data"/> whose arg-max logit is the label.</summary>
    double Accuracy(ReplicaState state, Workspace workspace, SparseImages data);

    /// <summary>Mean loss of the rows given and its gradient, left in the workspace (the first
    /// layer's as its sparse part plus <see cref="Workspace.Offset"/>).</summary>
    float LossAndGradients(ReplicaState state, Workspace workspace, SparseImages data, ReadOnlySpan<int> rows);
}

/// <summary>
/// The training step of one replica: sparse first layer, dense hidden layers, softmax
/// cross-entropy, backpropagation and the optimiser, all on whole vectors of the padded layout.
/// Nothing here depends on other replicas, the thread, or the batch of replicas it runs in.
/// </summary>
internal sealed class ReplicaEngine<TOps, TVector>(PaddedLayout layout, TrainingSpec spec, int classes) : IReplicaEngine
    where TOps : unmanaged, IVectorOps<TVector>
    where TVector : unmanaged
{
    public PaddedLayout Layout => layout;

    public void TrainEpoch(ReplicaState state, Workspace workspace, SparseImages train, int samples)
    {
        if (state.DivergedAtEpoch != 0)
        {
            return;
        }
        int epoch = state.EpochsCompleted;
        var order = workspace.Order.AsSpan(0, samples);
        TrainerArguments.DataOrder(spec, state.Replica, epoch, order);
        double lossSum = 0;
        int steps = 0;
        for (int start = 0; start < samples; start += spec.BatchSize)
        {
            var rows = order.Slice(start, Math.Min(spec.BatchSize, samples - start));
            float loss = LossAndGradients(state, workspace, train, rows);
            if (!float.IsFinite(loss))
            {
                state.DivergedAtEpoch = epoch + 1;
                state.LastTrainLoss = loss;
                return;
            }
            state.Steps++;
            Update(state, workspace);
            lossSum += loss;
            steps++;
        }
        state.LastTrainLoss = lossSum / steps;
        if (!WeightsAreFinite(state))
        {
            state.DivergedAtEpoch = epoch + 1;
            return;
        }
        state.EpochsCompleted = epoch + 1;
    }

    public double Accuracy(ReplicaState state, Workspace workspace, SparseImages data)
    {
        int correct = 0;
        int last = layout.LayerCount - 1;
        int ld = layout.Ld[last];
        for (int start = 0; start < data.Count; start += workspace.BatchCapacity)
        {
            var rows = data.Rows.AsSpan(start, Math.Min(workspace.BatchCapacity, data.Count - start));
            Forward(state, workspace, data, rows);
            var logits = workspace.Activations(last);
            for (int r = 0; r < rows.Length; r++)
            {
                var z = logits.Slice(r * ld, classes);
                int best = 0;
                for (int i = 1; i < z.Length; i++)
                {
                    if (z[i] > z[best])
                    {
                        best = i;
                    }
                }
                correct += best == data.Labels[rows[r]] ? 1 : 0;
            }
        }
        return data.Count == 0 ? double.NaN : (double)correct / data.Count;
    }

    public float LossAndGradients(ReplicaState state, Workspace workspace, SparseImages data, ReadOnlySpan<int> rows)
    {
        int b = rows.Length;
        int last = layout.LayerCount - 1;
        Forward(state, workspace, data, rows);
        var labels = workspace.Labels.AsSpan(0, b);
        for (int r = 0; r < b; r++)
        {
            labels[r] = data.Labels[rows[r]];
        }
        float lossSum = SoftmaxCrossEntropy.LossAndGradient<TOps, TVector>(workspace.Activations(last), labels, classes, layout.Ld[last], workspace.Deltas(last));
        for (int l = last; l >= 1; l--)
        {
            var (inputs, outputs) = layout.Shape.Layers[l];
            int ld = layout.Ld[l];
            int ldPrevious = layout.Ld[l - 1];
            // dW_lᵀ = H_{l-1}ᵀ Δ_l: the transpose of H is read through its strides.
            DenseLayerProduct.Multiply<TOps, TVector, Identity>(workspace.Activations(l - 1), new Strides(1, ldPrevious), workspace.Deltas(l), ld, default,
                inputs, b, ld, workspace.Gradients(l), ld);
            Transpose(state.Weights(l), inputs, outputs, ld, workspace.Transposed(l), ldPrevious);
            // Δ_{l-1} = (Δ_l W_l) ⊙ [H_{l-1} > 0].
            DenseLayerProduct.Multiply<TOps, TVector, GateByPositive>(workspace.Deltas(l), new Strides(ld, 1), workspace.Transposed(l), ldPrevious, workspace.Activations(l - 1),
                b, outputs, ldPrevious, workspace.Deltas(l - 1), ldPrevious);
        }
        int ld0 = layout.Ld[0];
        var gradient = workspace.Gradients(0);
        gradient.Clear();
        SparseInputLayer.AccumulateGradient<TOps, TVector>(Batch(data, rows), workspace.Deltas(0), ld0, data.Width, ld0, gradient, ld0);
        Optimizers.ScaledColumnSums<TOps, TVector>(workspace.Deltas(0), b, ld0, data.Baseline, workspace.Offset);
        return lossSum / b;
    }

    private void Forward(ReplicaState state, Workspace workspace, SparseImages data, ReadOnlySpan<int> rows)
    {
        int b = rows.Length;
        int ld0 = layout.Ld[0];
        Optimizers.ScaledColumnSums<TOps, TVector>(state.Weights(0), data.Width, ld0, data.Baseline, workspace.Bias);
        SparseInputLayer.Forward<TOps, TVector>(Batch(data, rows), data.Width, state.Weights(0), ld0, workspace.Bias, ld0, workspace.Activations(0), ld0);
        int last = layout.LayerCount - 1;
        for (int l = 1; l <= last; l++)
        {
            int inputs = layout.Shape.Layers[l].Inputs;
            int ld = layout.Ld[l];
            var strides = new Strides(layout.Ld[l - 1], 1);
            if (l < last)
            {
                DenseLayerProduct.Multiply<TOps, TVector, Rectify>(workspace.Activations(l - 1), strides, state.Weights(l), ld, default, b, inputs, ld, workspace.Activations(l), ld);
            }
            else
            {
                DenseLayerProduct.Multiply<TOps, TVector, Identity>(workspace.Activations(l - 1), strides, state.Weights(l), ld, default, b, inputs, ld, workspace.Activations(l), ld);
            }
        }
    }

    private void Update(ReplicaState state, Workspace workspace)
    {
        var optimizer = spec.Optimizer;
        var adam = AdamCoefficients.For(optimizer.LearningRate, optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon, spec.WeightDecay, state.Steps);
        for (int l = 0; l < layout.LayerCount; l++)
        {
            int rows = layout.Shape.Layers[l].Inputs;
            var offset = l == 0 ? workspace.Offset : workspace.Zeros;
            if (optimizer.Kind == OptimizerKind.Adam)
            {
                Optimizers.Adam<TOps, TVector>(adam, workspace.Gradients(l), offset, rows, layout.Ld[l], state.Weights(l), state.FirstMoment(l), state.SecondMoment(l));
            }
            else
            {
                Optimizers.Sgd<TOps, TVector>((float)optimizer.LearningRate, (float)spec.WeightDecay, workspace.Gradients(l), offset, rows, layout.Ld[l], state.Weights(l));
            }
        }
    }

    private bool WeightsAreFinite(ReplicaState state)
    {
        for (int l = 0; l < layout.LayerCount; l++)
        {
            foreach (float w in state.Weights(l))
            {
                if (!float.IsFinite(w))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static SparseBatch Batch(SparseImages data, ReadOnlySpan<int> rows) => new(data.Offsets, data.Entries, data.Levels, rows);

    /// <summary>[in][ld] → [out][ldTransposed]; the padding of the destination is never written and stays zero.</summary>
    private static void Transpose(ReadOnlySpan<float> source, int inputs, int outputs, int ld, Span<float> destination, int ldTransposed)
    {
        for (int i = 0; i < inputs; i++)
        {
            var row = source.Slice(i * ld, outputs);
            for (int o = 0; o < row.Length; o++)
            {
                destination[o * ldTransposed + i] = row[o];
            }
        }
    }
}
