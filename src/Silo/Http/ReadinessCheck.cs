using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// Ready once the silo has joined its cluster (the host has started, Orleans' silo included) and
/// while it is not stopping, and only while its store answers a query: a silo that cannot reach
/// its database trains nothing and serves stale answers, so traffic should go elsewhere.
/// </summary>
internal sealed class ReadinessCheck(IHostApplicationLifetime lifetime, IPigmmStore store) : IHealthCheck
{
    /// <summary>How long the store may take to answer before the silo counts as not ready.</summary>
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The silo has not joined its cluster yet.");
        }
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The silo is stopping.");
        }
        try
        {
            await store.GetChangeVersionAsync(cancellationToken).WaitAsync(StoreTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception failure) when (failure is StoreUnavailableException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The store {store.Description} does not answer: {failure.Message}");
        }
    }
}
