using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using OrleansPigmm.Grains.Training;
using OrleansPigmm.Silo.Hosting;
using OrleansPigmm.Silo.Training;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// <c>pigmm silo</c>: one long-lived Orleans silo over the embedded store, on fixed loopback
/// ports, that consoles reach through its gateway (<c>pigmm submit</c>, <c>status</c>,
/// <c>cancel</c>). It keeps every running experiment of its store going, and stops gracefully on
/// SIGTERM or Ctrl+C: epochs in flight are abandoned, committed epochs stay.
/// </summary>
internal static class SiloCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var storePath = new Option<string>("--store") { Description = "The experiment store (SQLite file, created if missing).", Required = true };
        var siloPort = new Option<int>("--silo-port") { Description = $"The port silos talk to each other on; default {PigmmCluster.DefaultSiloPort}.", DefaultValueFactory = _ => PigmmCluster.DefaultSiloPort };
        var gatewayPort = new Option<int>("--gateway-port") { Description = $"The port consoles connect to; default {PigmmCluster.DefaultGatewayPort}.", DefaultValueFactory = _ => PigmmCluster.DefaultGatewayPort };
        var common = new CommonTrainingOptions();
        var command = new Command("silo", "Run one long-lived silo on the store, training every experiment submitted to it (pigmm submit --gateway), until SIGTERM or Ctrl+C.")
        {
            storePath, siloPort, gatewayPort,
        };
        common.AddTo(command, withDataset: false, asDevice: true);
        command.SetAction((parsed, cancellationToken) => Task.FromResult(CommandFailure.Guard("silo", error, () =>
        {
            var trainer = common.Trainer(parsed);
            string? dataDirectory = common.DataDirectory(parsed);
            var (silo, gateway) = (parsed.GetValue(siloPort), parsed.GetValue(gatewayPort));
            foreach (var (port, name) in new[] { (silo, "--silo-port"), (gateway, "--gateway-port") })
            {
                if (port is < 1 or > 65535)
                {
                    throw new InputException($"{name} must be a port from 1 to 65535; got {port}.");
                }
                if (!LocalSilo.IsPortFree(port))
                {
                    throw new InputException($"port {port} ({name}) is already in use; is another silo running? Give another with {name}.");
                }
            }
            if (silo == gateway)
            {
                throw new InputException($"--silo-port and --gateway-port must differ; both are {silo}.");
            }
            var store = RunCommand.OpenStore(parsed.GetValue(storePath)!);
            var options = new PigmmSiloOptions
            {
                Store = () => store,
                // Each experiment's data is loaded on its first epoch here, once.
                Device = () => TrainingDevice.Cpu(trainer.Threads, trainer.VectorWidth, name => DatasetCatalog.Load(name, dataDirectory)),
                Datasets = name => DatasetCatalog.TryDimensions(name, dataDirectory),
            };
            return RunAsync(options, silo, gateway, output, cancellationToken).GetAwaiter().GetResult();
        })));
        return command;
    }

    private static async Task<int> RunAsync(PigmmSiloOptions options, int siloPort, int gatewayPort, TextWriter output, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        using var terminated = CancellationTokenSource.CreateLinkedTokenSource(interruption.Token);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            terminated.Cancel();
        });
        LocalSilo silo;
        try
        {
            silo = await LocalSilo.StartAsync(options, siloPort, gatewayPort, terminated.Token);
        }
        catch (Exception failure) when (InUse(failure) is not null)
        {
            throw new InputException($"cannot listen on port {siloPort} or {gatewayPort}: {InUse(failure)!.Message}");
        }
        await using (silo)
        {
            var device = silo.Services.GetRequiredService<ITrainingDevice>();
            output.WriteLine($"pigmm silo: listening on gateway 127.0.0.1:{silo.GatewayPort} (silo port {silo.SiloPort}), store {silo.Store.Description}, device {device.Description}");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, terminated.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return 0;
    }

    /// <summary>The socket failure of a port that is taken, wherever it lies among the causes of <paramref name="failure"/>.</summary>
    private static SocketException? InUse(Exception? failure) => failure switch
    {
        null => null,
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } socket => socket,
        AggregateException aggregate => aggregate.InnerExceptions.Select(InUse).FirstOrDefault(found => found is not null),
        _ => InUse(failure.InnerException),
    };
}
