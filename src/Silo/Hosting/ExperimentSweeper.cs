using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>
/// Every silo, every <see cref="PigmmSiloOptions.SweepInterval"/>, wakes each running experiment
/// it finds in the store (<see cref="IExperimentGrain.WakeAsync"/>). This is how an experiment
/// goes on with no client connected after the silo that hosted its grain died: the next sweep of
/// any silo re-activates the grain, which re-activates its stalled replicas. Orleans keeps one
/// activation per experiment however many silos sweep.
/// </summary>
internal sealed class ExperimentSweeper(IPigmmStore store, IGrainFactory grains, PigmmSiloOptions options, ILogger<ExperimentSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var experiments = await store.ListExperimentsAsync(stoppingToken);
                var running = experiments.Where(e => e.Lifecycle == ExperimentLifecycle.Running && (options.OnlyExperiment is null || e.Id == options.OnlyExperiment));
                await Task.WhenAll(running.Select(e => grains.GetGrain<IExperimentGrain>(e.Id).WakeAsync())).WaitAsync(options.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is StoreUnavailableException or OrleansException or TimeoutException or KeyNotFoundException)
            {
                logger.LogWarning("Sweep of running experiments: {Reason}", error.Message);
            }
        }
    }
}
