namespace OrleansPigmm.Training.Cpu;

/// <summary>Everything that evolves while one replica trains: weights, Adam moments, counters.
/// Memory: [weights][first moments][second moments], each in the padded layout.</summary>
internal sealed class ReplicaState : IDisposable
{
    private readonly AlignedBuffer memory;
    private readonly PaddedLayout layout;

    public ReplicaState(int replica, PaddedLayout layout, bool hasMoments)
    {
        Replica = replica;
        this.layout = layout;
        HasMoments = hasMoments;
        memory = new AlignedBuffer(layout.ParameterFloats * (hasMoments ? 3 : 1));
    }

    public int Replica { get; }

    public bool HasMoments { get; }

    /// <summary>Optimiser steps taken (Adam's t).</summary>
    public long Steps { get; set; }

    /// <summary>Epochs finished without divergence; the next epoch trained has this index.</summary>
    public int EpochsCompleted { get; set; }

    /// <summary>The epoch (1-based) in which the loss or a weight became NaN or infinite, or 0.</summary>
    public int DivergedAtEpoch { get; set; }

    /// <summary>Mean batch loss over the last epoch trained (NaN before the first).</summary>
    public double LastTrainLoss { get; set; } = double.NaN;

    public Span<float> Weights(int layer) => memory.Slice(layout.Offset(layer), layout.BlockLength(layer));

    public Span<float> FirstMoment(int layer) => memory.Slice(layout.ParameterFloats + layout.Offset(layer), layout.BlockLength(layer));

    public Span<float> SecondMoment(int layer) => memory.Slice(2 * layout.ParameterFloats + layout.Offset(layer), layout.BlockLength(layer));

    public void Dispose() => memory.Dispose();
}
