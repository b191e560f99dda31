namespace OrleansPigmm.Grains.Runtime;

/// <summary>What the runtime gives a grain activation: its key and a factory for calling other grains.</summary>
/// <param name="Key">The grain's key (see <see cref="GrainKeys"/> for compound keys).</param>
/// <param name="GrainFactory">References to other grains.</param>
public sealed record GrainContext(string Key, IGrainFactory GrainFactory);

/// <summary>Lifetime hooks a grain implementation may have; the runtime calls
/// <see cref="OnActivateAsync"/> before the first call and <see cref="OnDeactivateAsync"/> when
/// it shuts the activation down, each inside a turn of its own.</summary>
public interface IGrainLifecycle
{
    /// <summary>Loads state; runs before the first call is delivered.</summary>
    Task OnActivateAsync(CancellationToken cancellationToken);

    /// <summary>Flushes buffered work and releases what the activation holds.</summary>
    Task OnDeactivateAsync(CancellationToken cancellationToken);
}
