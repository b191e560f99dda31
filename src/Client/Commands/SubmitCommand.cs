using System.CommandLine;
using OrleansPigmm.Client.Cluster;
using OrleansPigmm.Client.Display;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Grains.Plans;
using OrleansPigmm.Grains.Telemetry;
using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// <c>pigmm submit</c>: submits an experiment to a running cluster (see <see cref="ClusterTarget"/>). The
/// spec is checked here first, as <c>pigmm run</c> checks it; with <c>--wait</c> the command
/// follows the pushed events until the experiment ends and prints only its final line.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var wait = new Option<bool>("--wait") { Description = "Wait until the experiment is complete (or cancelled) and print one final line." };
        var specOptions = new SpecOptions();
        var command = new Command("submit", "Submit an experiment to a running cluster (see pigmm silo); submitting a cancelled one resumes it.")
        {
            wait,
        };
        var target = new ClusterTarget().AddTo(command);
        specOptions.AddTo(command);
        command.SetAction((parsed, cancellationToken) =>
        {
            ExperimentPlan? plan = null;
            int refused = CommandFailure.Guard("submit", error, () =>
            {
                // Refuse a spec that cannot run before the cluster is asked.
                plan = ExperimentPlan.Create(specOptions.Spec(parsed), name => DatasetCatalog.TryDimensions(name));
                return 0;
            });
            if (refused != 0)
            {
                return Task.FromResult(refused);
            }
            return Task.FromResult(target.Run("submit", error, parsed, plan!.Id,
                (connection, token) => parsed.GetValue(wait) ? SubmitAndWaitAsync(connection, plan!, output, error, token) : SubmitAsync(connection, plan!, output),
                cancellationToken));
        });
        return command;
    }

    private static async Task<int> SubmitAsync(ClusterConnection connection, ExperimentPlan plan, TextWriter output)
    {
        var status = await SubmitTracedAsync(connection, plan);
        output.WriteLine($"Experiment {status.ExperimentId} submitted ({status.Replicas} replicas x {status.Epochs} epochs).");
        return 0;
    }

    /// <summary>Submits under a span of its own: the root of the trace the experiment's grains
    /// continue on every silo.</summary>
    private static async Task<ExperimentStatus> SubmitTracedAsync(ClusterConnection connection, ExperimentPlan plan)
    {
        using var span = PigmmTelemetry.StartSubmit(plan.Id);
        return await connection.Grains.GetGrain<IExperimentGrain>(plan.Id).SubmitAsync(plan.Spec);
    }

    private static async Task<int> SubmitAndWaitAsync(ClusterConnection connection, ExperimentPlan plan, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var interruption = new Interruption(cancellationToken);
        await using var subscription = await ExperimentSubscription.StartAsync(connection.Grains, plan.Id);
        await SubmitTracedAsync(connection, plan);
        ExperimentStatus final;
        try
        {
            final = await subscription.Ended.WaitAsync(interruption.Token);
        }
        catch (OperationCanceledException) when (interruption.Token.IsCancellationRequested)
        {
            error.WriteLine($"pigmm submit: stopped waiting; experiment {plan.Id} goes on in the cluster.");
            return ExperimentMonitor.Cancelled;
        }
        catch (TimeoutException lost)
        {
            error.WriteLine($"pigmm submit: stopped waiting for experiment {plan.Id}: {lost.Message}. It goes on wherever the cluster still runs; pigmm status shows it.");
            return 1;
        }
        if (final.Phase != ExperimentPhase.Complete)
        {
            error.WriteLine($"pigmm submit: experiment {plan.Id} was {final.Phase.ToString().ToLowerInvariant()}; every completed epoch is stored, and submitting it again resumes it.");
            return 1;
        }
        output.WriteLine($"Experiment {final.ExperimentId} complete: {final.Replicas} replicas x {final.Epochs} epochs.");
        return 0;
    }
}
