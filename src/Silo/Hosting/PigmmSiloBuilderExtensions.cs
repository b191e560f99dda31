using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using OrleansPigmm.Grains;
using OrleansPigmm.Grains.Commits;
using OrleansPigmm.Grains.Placement;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Silo.Placement;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Hosting;

/// <summary>Adds OrleansPigmm's grains and their silo-local services to an Orleans silo.</summary>
public static class PigmmSiloBuilderExtensions
{
    /// <summary>
    /// Registers the store, the training device (advertised as the silo's training slots), the
    /// group commit, the experiment plans, placement by training capacity and the sweep of
    /// running experiments, and the propagation of traces through grain calls (it costs nothing
    /// while nothing listens). Clustering, endpoints and telemetry export are the caller's (they
    /// differ by mode and process).
    /// </summary>
    public static ISiloBuilder AddPigmm(this ISiloBuilder silo, PigmmSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(options);
        var device = options.Device();
        silo.AddActivityPropagation();
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [TrainingCapacityPlacement.SlotsMetadataKey] = device.TrainingSlots.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        silo.AddPlacementDirector<TrainingCapacityPlacement, TrainingCapacityPlacementDirector>();
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton(_ => options.Store());
        silo.Services.AddSingleton<ITrainingDevice>(_ => device);
        silo.Services.AddSingleton(services => new GroupCommitter(services.GetRequiredService<IPigmmStore>()));
        silo.Services.AddSingleton(services => new ExperimentPlans(services.GetRequiredService<IPigmmStore>(), options.Datasets));
        silo.Services.Configure<ExperimentOptions>(experiment => experiment.WatchInterval = options.WatchInterval);
        silo.Services.AddHostedService<ExperimentSweeper>();
        return silo;
    }
}
