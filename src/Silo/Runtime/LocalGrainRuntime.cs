using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using OrleansPigmm.Grains.Runtime;

namespace OrleansPigmm.Silo.Runtime;

/// <summary>
/// Hosts grain activations in this process. Each (interface, key) has at most one activation,
/// created on the first call; calls to an activation run one at a time in arrival order
/// (non-reentrant turns, as Orleans grains), so grain code needs no locks. A grain calling
/// itself, or two grains awaiting each other, would wait forever: grains here never do.
/// </summary>
public sealed class LocalGrainRuntime(GrainRegistry registry) : IGrainFactory, IAsyncDisposable
{
    private readonly ConcurrentDictionary<(Type Interface, string Key), Activation> activations = new();
    private readonly CancellationTokenSource stopping = new();

    /// <summary>Number of live activations.</summary>
    public int ActivationCount => activations.Count;

    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(string key)
        where TGrain : class, IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        var reference = DispatchProxy.Create<TGrain, GrainReference>();
        ((GrainReference)(object)reference).Bind(this, typeof(TGrain), key);
        return reference;
    }

    /// <summary>Deactivates every activation (each in a turn of its own, after calls in flight).</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }
        await stopping.CancelAsync();
        foreach (var activation in activations.Values)
        {
            await activation.DeactivateAsync();
        }
        activations.Clear();
        stopping.Dispose();
    }

    internal Task<T> CallAsync<T>(Type grainInterface, string key, Func<object, Task<T>> call)
    {
        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        var activation = activations.GetOrAdd((grainInterface, key), k => new Activation(() => registry.Create(k.Interface, new GrainContext(k.Key, this))));
        return activation.RunTurnAsync(call, stopping.Token);
    }

    private sealed class Activation(Func<object> create)
    {
        private readonly SemaphoreSlim turn = new(1, 1);
        private object? instance;

        public async Task<T> RunTurnAsync<T>(Func<object, Task<T>> call, CancellationToken stopping)
        {
            await turn.WaitAsync(CancellationToken.None);
            try
            {
                if (instance is null)
                {
                    var created = create();
                    if (created is IGrainLifecycle lifecycle)
                    {
                        await lifecycle.OnActivateAsync(stopping);
                    }
                    instance = created;
                }
                return await call(instance);
            }
            finally
            {
                turn.Release();
            }
        }

        public async Task DeactivateAsync()
        {
            await turn.WaitAsync();
            try
            {
                if (instance is IGrainLifecycle lifecycle)
                {
                    await lifecycle.OnDeactivateAsync(CancellationToken.None);
                }
                instance = null;
            }
            finally
            {
                turn.Release();
            }
        }
    }
}

/// <summary>The proxy behind a grain reference: turns each interface call into a turn of the activation.</summary>
public class GrainReference : DispatchProxy
{
    private static readonly MethodInfo CallTypedMethod = typeof(GrainReference).GetMethod(nameof(CallTyped), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly ConcurrentDictionary<Type, MethodInfo> TypedCalls = new();

    private LocalGrainRuntime? runtime;
    private Type? grainInterface;
    private string? key;

    internal void Bind(LocalGrainRuntime owner, Type grainType, string grainKey)
    {
        runtime = owner;
        grainInterface = grainType;
        key = grainKey;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var returnType = targetMethod.ReturnType;
        if (returnType == typeof(Task))
        {
            return CallTyped<bool>(targetMethod, args, async task => { await task; return true; });
        }
        if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var typed = TypedCalls.GetOrAdd(returnType.GetGenericArguments()[0], t => CallTypedMethod.MakeGenericMethod(t));
            return typed.Invoke(this, [targetMethod, args, null]);
        }
        throw new NotSupportedException($"Grain method {grainInterface!.Name}.{targetMethod.Name} must return Task or Task<T>.");
    }

    private Task<T> CallTyped<T>(MethodInfo method, object?[]? args, Func<Task, Task<T>>? adapt)
    {
        var call = runtime!.CallAsync(grainInterface!, key!, instance =>
        {
            Task task;
            try
            {
                task = (Task)method.Invoke(instance, args)!;
            }
            catch (TargetInvocationException error) when (error.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(error.InnerException).Throw();
                throw;
            }
            return adapt is null ? (Task<T>)task : adapt(task);
        });
        return call;
    }
}
