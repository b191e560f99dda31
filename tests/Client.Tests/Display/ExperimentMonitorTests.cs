using OrleansPigmm.Client.Display;
using OrleansPigmm.Client.Tests.Support;
using OrleansPigmm.Storage.Sqlite;
using OrleansPigmm.Tests.Support;
using Spectre.Console;

namespace OrleansPigmm.Client.Tests.Display;

public sealed class ExperimentMonitorTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly FilledExperiment experiment = new("0123456789abcdef") { CommittedEpochs = 0 };
    private readonly TemporaryDirectory folder = new();
    private readonly StringWriter text = new();
    private readonly TextWriter synchronizedText;
    private SqliteStore store = null!;

    public ExperimentMonitorTests() => synchronizedText = TextWriter.Synchronized(text);

    public async Task InitializeAsync()
    {
        store = SqliteStore.Open(folder.File("runs.db"));
        await StoreFiller.FillAsync(store, experiment);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        folder.Dispose();
    }

    /// <summary>A console like redirected output: no ANSI, not interactive.</summary>
    private IAnsiConsole PlainConsole() => Console(terminal: false);

    private IAnsiConsole Console(bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(synchronizedText),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = 160;
        return console;
    }

    private string Printed
    {
        get
        {
            // The synchronized writer locks on itself while the monitor writes.
            lock (synchronizedText)
            {
                return text.ToString();
            }
        }
    }

    private async Task WaitForAsync(string expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!Printed.Contains(expected, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{expected}' never appeared in:\n{Printed}");
            await Task.Delay(20);
        }
    }

    /// <summary>Commits the remaining epochs; the view must then end by itself, showing the run complete.</summary>
    private async Task FinishRunAsync(Task<int> monitor, int fromEpoch)
    {
        for (int epoch = fromEpoch; epoch <= experiment.Epochs; epoch++)
        {
            await StoreFiller.CommitAndPublishAsync(store, experiment, epoch);
        }
        Assert.Equal(0, await monitor.WaitAsync(Patience));
        Assert.Contains("18/18 replica-epochs (100.0%)", Printed);
    }

    [Fact]
    public async Task The_view_follows_commits_and_fits_as_they_are_stored_and_ends_when_the_experiment_is_complete()
    {
        var monitor = ExperimentMonitor.RunAsync(store, experiment.Id, PlainConsole());
        await WaitForAsync("6/18 replica-epochs");
        Assert.Contains("layer 2, epoch 0, samples 6", Printed);
        Assert.Contains("no test accuracy yet", Printed);

        await StoreFiller.CommitAndPublishAsync(store, experiment, 1);
        await WaitForAsync("12/18 replica-epochs");
        await WaitForAsync("layer 2, epoch 1, samples 6");
        Assert.Contains("replica-epochs/s", Printed);
        Assert.Contains("mean test accuracy 85.25% (epoch 1)", Printed);
        Assert.False(monitor.IsCompleted);

        await FinishRunAsync(monitor, fromEpoch: 2);
        Assert.Contains("ETA 00:00:00", Printed);
    }

    [Fact]
    public async Task The_view_ends_when_the_caller_says_stop_though_the_experiment_is_not_complete()
    {
        var stop = new TaskCompletionSource();
        var monitor = ExperimentMonitor.RunAsync(store, experiment.Id, PlainConsole(), stop.Task);
        await WaitForAsync("6/18 replica-epochs");

        stop.SetResult();

        Assert.Equal(0, await monitor.WaitAsync(Patience));
    }

    [Fact]
    public async Task Cancelling_the_view_ends_it_with_the_interrupted_exit_code()
    {
        using var cancellation = new CancellationTokenSource();
        var monitor = ExperimentMonitor.RunAsync(store, experiment.Id, PlainConsole(), cancellationToken: cancellation.Token);
        await WaitForAsync("6/18 replica-epochs");

        await cancellation.CancelAsync();

        Assert.Equal(ExperimentMonitor.Cancelled, await monitor.WaitAsync(Patience));
    }

    [Fact]
    public async Task An_interactive_console_gets_a_live_region_with_the_fit_table()
    {
        var monitor = ExperimentMonitor.RunAsync(store, experiment.Id, Console(terminal: true));
        await WaitForAsync("W2² simple");

        await FinishRunAsync(monitor, fromEpoch: 1);
        Assert.Contains("\u001b[", Printed);
    }

    [Fact]
    public async Task An_unknown_experiment_fails_before_anything_is_drawn()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(() => ExperimentMonitor.RunAsync(store, "nope", PlainConsole()));
        Assert.Equal("", Printed);
    }
}
