using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Telemetry;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Storage;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Training;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Silo.Tests.Support;

/// <summary>
/// An in-process Orleans test cluster of OrleansPigmm silos over one SQLite store file (each
/// silo opens it as a separate process would), with one training thread per silo, failure
/// detection in about two seconds, and experiments watched every second.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);

    private const string StoreKey = "pigmm:store";
    private const string DivergingReplicaKey = "pigmm:diverging-replica";

    private InProcessCluster(TestCluster cluster, string storePath)
    {
        Cluster = cluster;
        StorePath = storePath;
    }

    /// <summary>The Orleans test cluster.</summary>
    public TestCluster Cluster { get; }

    /// <summary>The store file every silo uses.</summary>
    public string StorePath { get; }

    /// <summary>The cluster's grains, as a client sees them.</summary>
    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>Starts <paramref name="silos"/> silos over the store at <paramref name="storePath"/>;
    /// with <paramref name="divergingReplica"/>, that replica's training diverges in its first epoch.</summary>
    public static async Task<InProcessCluster> StartAsync(int silos, string storePath, int? divergingReplica = null)
    {
        var builder = new TestClusterBuilder((short)silos);
        builder.Properties[StoreKey] = storePath;
        if (divergingReplica is { } replica)
        {
            builder.Properties[DivergingReplicaKey] = replica.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new InProcessCluster(cluster, storePath);
    }

    /// <summary>Submits <paramref name="spec"/> under a submission span, as <c>pigmm submit</c> does.</summary>
    public async Task<ExperimentStatus> SubmitAsync(Grains.Abstractions.Experiments.ExperimentSpec spec)
    {
        using var span = PigmmTelemetry.StartSubmit(spec.Id);
        return await Grains.GetGrain<IExperimentGrain>(spec.Id).SubmitAsync(spec);
    }

    /// <summary>Waits until the experiment is complete (no client action needed: the cluster goes on by itself).</summary>
    public async Task<ExperimentStatus> WaitForCompletionAsync(string experimentId, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                // Bounded here too: a call routed to a silo that was just killed may outlive its response timeout.
                var status = await Grains.GetGrain<IExperimentGrain>(experimentId).GetStatusAsync().WaitAsync(CallLimit);
                if (status.Phase != ExperimentPhase.Running)
                {
                    return status;
                }
            }
            catch (Exception error) when (error is OrleansException or TimeoutException)
            {
                // A call through a silo that just died fails; ask again.
            }
            Assert.True(DateTime.UtcNow < deadline, $"experiment {experimentId} did not complete within {limit}");
            await Task.Delay(250);
        }
    }

    /// <summary>Opens the cluster's store as another process would.</summary>
    public SqliteStore OpenStore() => SqliteStore.Open(StorePath);

    /// <summary>Stops the silos gracefully; a silo whose graceful stop hangs (seen after one of the
    /// cluster had been killed) is killed instead, so that a finished test never hangs in its cleanup.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync().WaitAsync(StopLimit);
        }
        catch (TimeoutException)
        {
            foreach (var silo in Cluster.Silos.ToList())
            {
                await Cluster.KillSiloAsync(silo).WaitAsync(StopLimit);
            }
        }
        await Cluster.DisposeAsync().AsTask().WaitAsync(StopLimit);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            string path = siloBuilder.Configuration[StoreKey]!;
            int? diverging = int.TryParse(siloBuilder.Configuration[DivergingReplicaKey], out int replica) ? replica : null;
            siloBuilder.AddPigmm(new PigmmSiloOptions
            {
                Store = () => SqliteStore.Open(path),
                Device = () => diverging is { } r
                    ? new TrainingDevice(new DivergingBackend(new CpuTrainerBackend(new TrainerOptions { Threads = 1 }), r), "cpu, diverging", 1, Mnist)
                    : TrainingDevice.Cpu(1, VectorWidth.Auto, Mnist),
                Datasets = name => DatasetCatalog.TryDimensions(name),
                SweepInterval = TimeSpan.FromSeconds(1),
                WatchInterval = TimeSpan.FromSeconds(1),
            });
            siloBuilder.Configure<ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = TimeSpan.FromSeconds(1);
                membership.NumMissedProbesLimit = 2;
                membership.NumVotesForDeathDeclaration = 1;
                membership.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddActivityPropagation().Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromSeconds(5));
    }

    private static readonly Lazy<Dataset> MnistData = new(() => DatasetCatalog.Load("mnist"));

    private static Dataset Mnist(string name) => MnistData.Value;
}
