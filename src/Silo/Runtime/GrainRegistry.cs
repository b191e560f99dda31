using OrleansPigmm.Grains.Runtime;

namespace OrleansPigmm.Silo.Runtime;

/// <summary>Which class implements each grain interface, and how to build an activation.</summary>
public sealed class GrainRegistry
{
    private readonly Dictionary<Type, Func<GrainContext, object>> factories = [];

    /// <summary>Registers <paramref name="create"/> as the way to activate grains of <typeparamref name="TGrain"/>.</summary>
    public GrainRegistry Add<TGrain>(Func<GrainContext, TGrain> create)
        where TGrain : class, IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(create);
        factories[typeof(TGrain)] = context => create(context);
        return this;
    }

    internal object Create(Type grainInterface, GrainContext context) =>
        factories.TryGetValue(grainInterface, out var create)
            ? create(context)
            : throw new InvalidOperationException($"No grain implementation is registered for {grainInterface.Name}.");
}
