using System.Collections;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Grains;

/// <summary>
/// What an aggregator holds of its ensemble: the exact accumulator of the invariant rows of the
/// replicas folded so far, which replicas those are, and how many of them diverged. The sums are
/// exact, so the state, and the fit made of it, depend only on the set of replicas folded, never
/// on the order or grouping of the folds. It is never written: the committed snapshot rows are
/// its durable form, and a new activation rebuilds it from them.
/// </summary>
internal sealed class EnsembleState(ExperimentPlan plan)
{
    /// <summary>Sums of the invariants of the finite matrices folded.</summary>
    public InvariantAccumulator Accumulator { get; } = new(plan.Catalogue.Key, plan.Catalogue.Count, plan.MatrixSize);

    /// <summary>Replica r is folded when bit r is set.</summary>
    public BitArray Folded { get; } = new(plan.Spec.Replicas);

    /// <summary>Replicas folded so far, diverged ones included.</summary>
    public int FoldedCount { get; private set; }

    /// <summary>Folded replicas that diverged: counted, never fitted.</summary>
    public int Diverged { get; private set; }

    /// <summary>Every replica of the experiment is folded.</summary>
    public bool IsComplete => FoldedCount == Folded.Length;

    /// <summary>Folds one replica's contribution; false if that replica was folded already.</summary>
    /// <exception cref="ArgumentException">The replica is out of range, or a finite replica has no invariant row of the catalogue's length.</exception>
    public bool Fold(ReplicaInvariants contribution)
    {
        if (contribution.Replica < 0 || contribution.Replica >= Folded.Length)
        {
            throw new ArgumentException($"Replica {contribution.Replica} is outside 0..{Folded.Length - 1}.", nameof(contribution));
        }
        if (Folded[contribution.Replica])
        {
            return false;
        }
        if (!contribution.Diverged && contribution.Invariants?.Length != plan.Catalogue.Count)
        {
            throw new ArgumentException($"Replica {contribution.Replica} brings {contribution.Invariants?.Length ?? 0} invariants; the catalogue has {plan.Catalogue.Count}.", nameof(contribution));
        }
        Folded[contribution.Replica] = true;
        FoldedCount++;
        if (contribution.Diverged)
        {
            Diverged++;
        }
        else
        {
            Accumulator.Add(contribution.Invariants);
        }
        return true;
    }
}
