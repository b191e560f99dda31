using System.Diagnostics;
using OrleansPigmm.Outputs;
using OrleansPigmm.Storage;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace OrleansPigmm.Client.Display;

/// <summary>
/// A live view of one experiment read from the store, woken by the experiment's pushed events
/// (<c>pigmm run</c>) or by the store's changes (<c>pigmm watch</c> on a store file): replica-epochs done of total, the rate
/// observed since the view started, the time left at that rate, the mean test accuracy of the
/// latest epoch, and per layer the latest fit (epoch, samples, f1, f3, f12, f13, W2² to the
/// simple Gaussian, largest |deviation| of the cubic and quartic invariants). It works while
/// any process trains the experiment, and after.
/// </summary>
public static class ExperimentMonitor
{
    /// <summary>Exit code when the view was cancelled (as a shell reports an interrupted command).</summary>
    public const int Cancelled = 130;

    /// <summary>The view never redraws more often than this, however often the store changes.</summary>
    public static TimeSpan MinimumRefreshInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the store may fail reads (a database restarting) before the view gives up.</summary>
    public static TimeSpan StorePatience { get; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the store is polled when it announces no change itself.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>A console for <see cref="RunAsync"/> on <paramref name="output"/>: live (ANSI,
    /// interactive) when it is the process's standard output on a terminal, plain lines otherwise.</summary>
    public static IAnsiConsole ConsoleFor(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    /// <summary>
    /// Shows <paramref name="experimentId"/> on <paramref name="console"/> until the experiment is
    /// complete, <paramref name="stopWhen"/> completes, or <paramref name="cancellationToken"/> is
    /// cancelled; redraws whenever the store changes. An interactive console gets a live region
    /// redrawn in place; any other (redirected output, tests) gets the progress and fit lines
    /// printed again each time they change.
    /// </summary>
    /// <param name="waitForChange">What wakes the view: pushed events of the experiment (waited
    /// for at most the given time); null to watch the store's change version.</param>
    /// <returns>0 when the experiment is complete or <paramref name="stopWhen"/> completed,
    /// <see cref="Cancelled"/> when cancelled.</returns>
    /// <exception cref="KeyNotFoundException">No experiment has this id.</exception>
    public static async Task<int> RunAsync(IPigmmStore store, string experimentId, IAnsiConsole console, Task? stopWhen = null,
        Func<TimeSpan, CancellationToken, Task>? waitForChange = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(experimentId);
        ArgumentNullException.ThrowIfNull(console);
        var view = new View(store, experimentId);
        // Fail on an unknown experiment before anything is drawn.
        var first = await view.ReadAsync(cancellationToken).ConfigureAwait(false);
        bool interactive = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
        if (interactive)
        {
            int result = 0;
            await console.Live(Render(first)).AutoClear(false).StartAsync(async live =>
            {
                // The live region draws on refresh only.
                live.Refresh();
                result = await FollowAsync(view, first, state => { live.UpdateTarget(Render(state)); live.Refresh(); }, stopWhen, waitForChange, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return result;
        }
        string? printed = null;
        void Print(MonitorState state)
        {
            string text = PlainText(state);
            if (text != printed)
            {
                // Straight to the writer: plain lines are for logs and pipes, unwrapped at any width.
                console.Profile.Out.Writer.WriteLine(text);
                console.Profile.Out.Writer.Flush();
                printed = text;
            }
        }
        Print(first);
        return await FollowAsync(view, first, Print, stopWhen, waitForChange, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> FollowAsync(View view, MonitorState state, Action<MonitorState> show, Task? stopWhen,
        Func<TimeSpan, CancellationToken, Task>? waitForChange, CancellationToken cancellationToken)
    {
        var stopped = stopWhen ?? new TaskCompletionSource().Task;
        Stopwatch? unreadableSince = null;
        try
        {
            while (!state.Progress.IsComplete && !stopped.IsCompleted)
            {
                using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var changed = waitForChange is null
                    ? view.Store.WaitForChangeAsync(view.Version, PollInterval, round.Token)
                    : waitForChange(PollInterval, round.Token);
                await Task.WhenAny(changed, stopped).ConfigureAwait(false);
                await round.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                // Let a burst of commits settle into one redraw.
                await Task.Delay(MinimumRefreshInterval, cancellationToken).ConfigureAwait(false);
                try
                {
                    state = await view.ReadAsync(cancellationToken).ConfigureAwait(false);
                    unreadableSince = null;
                }
                catch (StoreUnavailableException) when ((unreadableSince ??= Stopwatch.StartNew()).Elapsed < StorePatience)
                {
                    // A database restarting: show the last state read until it answers again.
                    continue;
                }
                show(state);
            }
            // A subscription that ended because the cluster stopped answering is not a completion.
            if (stopped.IsFaulted)
            {
                await stopped.ConfigureAwait(false);
            }
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Cancelled;
        }
    }

    private static IRenderable Render(MonitorState state)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (column, index) in MonitorState.FitColumns.Select((column, index) => (column, index)))
        {
            table.AddColumn(index == 0 ? new TableColumn(column).NoWrap() : new TableColumn(column).RightAligned().NoWrap());
        }
        foreach (var row in state.FitRows())
        {
            table.AddRow(row.Select(cell => new Text(cell)).ToArray());
        }
        table.Caption(table.Rows.Count == 0 ? "no fit published yet" : MonitorState.FitLegend);
        var bar = new BreakdownChart().Width(60).HideTags()
            .AddItem("done", state.Progress.ReplicaEpochsDone, Color.Green)
            .AddItem("left", state.Progress.ReplicaEpochsTotal - state.Progress.ReplicaEpochsDone, Color.Grey);
        return new Rows(
            new Markup($"[bold]experiment {Markup.Escape(state.ExperimentId)}[/]"),
            bar,
            new Text(state.ProgressLine()),
            table);
    }

    private static string PlainText(MonitorState state) =>
        string.Join(Environment.NewLine, state.FitRows()
            .Select(row => "  " + string.Join(", ", MonitorState.FitColumns.Zip(row, (column, cell) => $"{column} {cell}")))
            .Prepend($"{state.ExperimentId}: {state.ProgressLine()}"));

    /// <summary>Reads the experiment's state and keeps what the rate needs between reads.</summary>
    private sealed class View(IPigmmStore store, string experimentId)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private long? firstDone;

        public IPigmmStore Store => store;

        /// <summary>The store's change version before the last read.</summary>
        public long Version { get; private set; }

        public async Task<MonitorState> ReadAsync(CancellationToken cancellationToken)
        {
            Version = await store.GetChangeVersionAsync(cancellationToken).ConfigureAwait(false);
            var progress = await store.GetProgressAsync(experimentId, cancellationToken).ConfigureAwait(false);
            var document = await ExperimentOutputs.ReadAsync(store, experimentId, cancellationToken).ConfigureAwait(false);
            firstDone ??= progress.ReplicaEpochsDone;
            double seconds = clock.Elapsed.TotalSeconds;
            double? rate = progress.ReplicaEpochsDone > firstDone && seconds > 0 ? (progress.ReplicaEpochsDone - firstDone.Value) / seconds : null;
            return new MonitorState(experimentId, progress, rate, document.Training.Epochs.LastOrDefault(), MonitorState.LatestPerLayer(document));
        }
    }
}
