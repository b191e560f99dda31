namespace OrleansPigmm.Grains.Runtime;

/// <summary>Gives references to grains by interface and key; the grain is activated on first call.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain of type <typeparamref name="TGrain"/> with key <paramref name="key"/>.</summary>
    TGrain GetGrain<TGrain>(string key)
        where TGrain : class, IGrainWithStringKey;
}
