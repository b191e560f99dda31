using OrleansPigmm.Training;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>
/// A trainer backend that holds a trainer whose first replica has completed <c>heldFrom</c>
/// epochs or more until <see cref="Open"/>: a test sees an experiment part-way (at epoch
/// <c>heldFrom</c> or a little later) for as long as it needs, however fast the machine trains.
/// </summary>
internal sealed class GatedBackend(ITrainerBackend inner, int heldFrom) : ITrainerBackend
{
    private readonly ManualResetEventSlim gate = new();

    /// <summary>Epochs a replica completes before it is held.</summary>
    private int HeldFrom => heldFrom;

    public string Name => $"gated {inner.Name}";

    /// <summary>Lets every held replica go on, and all later epochs through.</summary>
    public void Open() => gate.Set();

    public IEnsembleTrainer Create(TrainingSpec spec, Dataset dataset, IReadOnlyList<int> replicas) =>
        new GatedTrainer(inner.Create(spec, dataset, replicas), this);

    private sealed class GatedTrainer(IEnsembleTrainer inner, GatedBackend owner) : DelegatingTrainer(inner)
    {
        public override void TrainEpoch(IProgress<int>? progress = null, CancellationToken cancellationToken = default)
        {
            if (Status(0).EpochsCompleted >= owner.HeldFrom)
            {
                owner.gate.Wait(cancellationToken);
            }
            base.TrainEpoch(progress, cancellationToken);
        }
    }
}
