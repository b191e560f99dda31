using OrleansPigmm.Training;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>A trainer backend that reports one replica as diverged from its first epoch on.</summary>
internal sealed class DivergingBackend(ITrainerBackend inner, int divergingReplica) : ITrainerBackend
{
    public string Name => $"diverging {inner.Name}";

    public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) =>
        new DivergingTrainer(inner.Create(spec, dataset, replicas), divergingReplica);

    private sealed class DivergingTrainer(IEnsembleTrainer inner, int divergingReplica) : IEnsembleTrainer
    {
        public TrainingSpec Spec => inner.Spec;

        public NetworkShape Shape => inner.Shape;

        public IReadOnlyList<int> Replicas => inner.Replicas;

        public string Backend => inner.Backend;

        public void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default) => inner.TrainEpoch(progress, cancellationToken);

        public ReplicaStatus Status(int slot)
        {
            var status = inner.Status(slot);
            return Replicas[slot] == divergingReplica && status.EpochsCompleted > 0 ? status with { DivergedAtEpoch = 1 } : status;
        }

        public void CopyWeights(int slot, int layer, Span<float> destination) => inner.CopyWeights(slot, layer, destination);

        public IReadOnlyList<double> EvaluateTestAccuracy(CancellationToken cancellationToken = default) => inner.EvaluateTestAccuracy(cancellationToken);

        public byte[] ExportState(int slot) => inner.ExportState(slot);

        public void ImportState(int slot, ReadOnlySpan<byte> state) => inner.ImportState(slot, state);

        public void Dispose() => inner.Dispose();
    }
}
