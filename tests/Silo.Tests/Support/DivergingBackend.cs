using OrleansPigmm.Training;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>A trainer backend that reports one replica as diverged from its first epoch on.</summary>
internal sealed class DivergingBackend(ITrainerBackend inner, int divergingReplica) : ITrainerBackend
{
    public string Name => $"diverging {inner.Name}";

    public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) =>
        new DivergingTrainer(inner.Create(spec, dataset, replicas), divergingReplica);

    private sealed class DivergingTrainer(IEnsembleTrainer inner, int divergingReplica) : DelegatingTrainer(inner)
    {
        public override ReplicaStatus Status(int slot)
        {
            var status = base.Status(slot);
            return Replicas[slot] == divergingReplica && status.EpochsCompleted > 0 ? status with { DivergedAtEpoch = 1 } : status;
        }
    }
}
