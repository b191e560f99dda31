using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Grains;

/// <summary>
/// What an experiment grain holds: its plan (from the stored spec), its lifecycle, and the last
/// committed epoch of every replica. The durable form is the experiment's row and its replicas'
/// progress rows in the store, which clients may read directly; the grain loads them on
/// activation and writes the lifecycle on purpose.
/// </summary>
internal sealed class ExperimentState(ExperimentPlan plan, ExperimentLifecycle lifecycle, IReadOnlyList<int> completedEpochs)
{
    private readonly int[] completed = [.. completedEpochs];

    public ExperimentPlan Plan { get; } = plan;

    public ExperimentLifecycle Lifecycle { get; set; } = lifecycle;

    /// <summary>Replicas that committed their last epoch.</summary>
    public int Finished { get; private set; } = completedEpochs.Count(e => e == plan.Spec.Epochs);

    /// <summary>Replica-epochs committed, epoch 0 included.</summary>
    public long Committed { get; private set; } = completedEpochs.Sum(e => (long)e + 1);

    /// <summary>Last committed epoch of a replica (-1: none).</summary>
    public int CompletedEpoch(int replica) => completed[replica];

    /// <summary>Records that <paramref name="replica"/> committed <paramref name="epoch"/>; reports
    /// arrive out of order and repeated, so only progress counts.</summary>
    /// <returns>Whether anything changed.</returns>
    public bool Advance(int replica, int epoch)
    {
        if (replica < 0 || replica >= completed.Length || epoch <= completed[replica] || epoch > Plan.Spec.Epochs)
        {
            return false;
        }
        Committed += epoch - completed[replica];
        completed[replica] = epoch;
        if (epoch == Plan.Spec.Epochs)
        {
            Finished++;
        }
        return true;
    }

    public ExperimentStatus Status(bool created) => new(
        Plan.Id,
        StoredStatus.Phase(Lifecycle),
        Plan.Spec.Replicas, Plan.Spec.Epochs, Plan.Layers, Plan.MatrixSize, Committed, Finished, created);
}
