using OrleansPigmm.Training;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>A trainer that passes every call to another; the test backends override only what they change.</summary>
internal abstract class DelegatingTrainer(IEnsembleTrainer inner) : IEnsembleTrainer
{
    public TrainingSpec Spec => inner.Spec;

    public NetworkShape Shape => inner.Shape;

    public IReadOnlyList<int> Replicas => inner.Replicas;

    public string Backend => inner.Backend;

    public virtual void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default) => inner.TrainEpoch(progress, cancellationToken);

    public virtual ReplicaStatus Status(int slot) => inner.Status(slot);

    public void CopyWeights(int slot, int layer, Span<float> destination) => inner.CopyWeights(slot, layer, destination);

    public IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default) => inner.EvaluateTestAccuracy(cancellationToken);

    public byte[] ExportState(int slot) => inner.ExportState(slot);

    public void ImportState(int slot, ReadOnlySpan<byte> state) => inner.ImportState(slot, state);

    public void Dispose() => inner.Dispose();
}
