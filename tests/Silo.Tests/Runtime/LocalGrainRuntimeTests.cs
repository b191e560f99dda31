using OrleansPigmm.Grains.Runtime;
using OrleansPigmm.Silo.Runtime;

namespace OrleansPigmm.Silo.Tests.Runtime;

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementAsync(int delayMilliseconds);

    Task<string> KeyAsync();

    Task FailAsync(bool synchronously);
}

public sealed class CounterGrain(GrainContext context, List<string> log) : ICounterGrain, IGrainLifecycle
{
    private int value;
    private int inside;

    public Task OnActivateAsync(CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add($"activate {context.Key}");
        }
        return Task.CompletedTask;
    }

    public Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add($"deactivate {context.Key} at {value}");
        }
        return Task.CompletedTask;
    }

    public async Task<int> IncrementAsync(int delayMilliseconds)
    {
        if (Interlocked.Increment(ref inside) != 1)
        {
            throw new InvalidOperationException("Two turns overlapped.");
        }
        int read = value;
        await Task.Delay(delayMilliseconds);
        value = read + 1;
        Interlocked.Decrement(ref inside);
        return value;
    }

    public Task<string> KeyAsync() => Task.FromResult(context.Key);

    public Task FailAsync(bool synchronously)
    {
        if (synchronously)
        {
            throw new ArgumentException($"grain {context.Key} refused");
        }
        return Task.FromException(new InvalidOperationException($"grain {context.Key} failed"));
    }
}

public class LocalGrainRuntimeTests
{
    private readonly List<string> log = [];

    private LocalGrainRuntime NewRuntime() => new(new GrainRegistry().Add<ICounterGrain>(context => new CounterGrain(context, log)));

    [Fact]
    public async Task Calls_to_one_grain_never_overlap_and_none_is_lost()
    {
        await using var runtime = NewRuntime();
        var grain = runtime.GetGrain<ICounterGrain>("a");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => grain.IncrementAsync(1))));

        Assert.Equal(Enumerable.Range(1, 20), results.Order());
    }

    [Fact]
    public async Task References_with_the_same_key_reach_one_activation_activated_once()
    {
        await using var runtime = NewRuntime();

        await runtime.GetGrain<ICounterGrain>("a").IncrementAsync(0);
        int second = await runtime.GetGrain<ICounterGrain>("a").IncrementAsync(0);
        await runtime.GetGrain<ICounterGrain>("b").IncrementAsync(0);

        Assert.Equal(2, second);
        Assert.Equal(2, runtime.ActivationCount);
        Assert.Equal(["activate a", "activate b"], log);
        Assert.Equal("b", await runtime.GetGrain<ICounterGrain>("b").KeyAsync());
    }

    [Fact]
    public async Task Different_grains_run_concurrently()
    {
        await using var runtime = NewRuntime();
        var slow = runtime.GetGrain<ICounterGrain>("slow").IncrementAsync(500);

        await runtime.GetGrain<ICounterGrain>("fast").IncrementAsync(0);

        Assert.False(slow.IsCompleted);
        await slow;
    }

    [Theory]
    [InlineData(true, typeof(ArgumentException))]
    [InlineData(false, typeof(InvalidOperationException))]
    public async Task Grain_exceptions_reach_the_caller_unwrapped_and_the_grain_stays_usable(bool synchronously, Type expected)
    {
        await using var runtime = NewRuntime();
        var grain = runtime.GetGrain<ICounterGrain>("x");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => grain.FailAsync(synchronously));

        Assert.IsType(expected, error);
        Assert.Contains("grain x", error.Message);
        Assert.Equal(1, await grain.IncrementAsync(0));
    }

    [Fact]
    public async Task Disposing_deactivates_every_grain_after_its_calls_in_flight()
    {
        var runtime = NewRuntime();
        var call = runtime.GetGrain<ICounterGrain>("a").IncrementAsync(100);
        await Task.Delay(20);

        await runtime.DisposeAsync();

        Assert.Equal(1, await call);
        Assert.Equal(["activate a", "deactivate a at 1"], log);
        Assert.Throws<ObjectDisposedException>(() => runtime.GetGrain<ICounterGrain>("a"));
    }

    [Fact]
    public async Task An_unregistered_grain_interface_is_a_clear_error()
    {
        await using var runtime = new LocalGrainRuntime(new GrainRegistry());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.GetGrain<ICounterGrain>("a").KeyAsync());

        Assert.Contains("ICounterGrain", error.Message);
    }
}
