using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OrleansPigmm.Formats.Fits;
using OrleansPigmm.Grains.Abstractions;
using OrleansPigmm.Outputs;
using OrleansPigmm.Storage;

namespace OrleansPigmm.Silo.Http;

/// <summary>
/// The server-sent events of one experiment: <c>progress</c> (an <see cref="ExperimentView"/>)
/// whenever it changes, <c>fit</c> (one element of fits.json's fits) for every publication, and
/// <c>complete</c> (the final view) as the last event once the experiment is complete.
/// </summary>
/// <remarks>
/// Everything comes from the store, so any silo of the cluster serves the same events and a
/// stream survives the loss of the silo that trains the experiment. Event ids are the store's
/// change versions, never decreasing along a stream: a fit's id is the version its publication
/// moved the store to (the store gives those in commit order), and a progress or complete
/// event's id is the version up to which every fit was sent before it. So a client that
/// reconnects with <c>Last-Event-ID: v</c> is sent the current progress and every fit published
/// after v, and misses nothing. The stream is woken by the store's change notifications (or its poll).
/// </remarks>
internal static class ExperimentEvents
{
    /// <summary>How often the store's change version is polled when no notification comes.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>The shortest time between two reads of the store, however fast it changes: every
    /// commit of every experiment moves the version, and one read per wake is enough.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(200);

    private static readonly JsonSerializerOptions FitOptions = new(FitsJson.Options) { WriteIndented = false };

    /// <summary>
    /// The events of <paramref name="experimentId"/> after the event id <paramref name="lastEventId"/>
    /// (null: from the start), until the experiment is complete or the caller stops listening.
    /// </summary>
    public static async IAsyncEnumerable<SseItem<string>> StreamAsync(IPigmmStore store, string experimentId, long? lastEventId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Every fit has a version of 1 or more, so 0 stands for "nothing seen yet".
        long sentThrough = Math.Max(lastEventId ?? 0, 0);
        ExperimentView? shown = null;
        while (true)
        {
            // Read in this order: a change after `before` wakes the next round, and every fit of
            // a version up to `after` is readable, so the fits sent and the view agree with `after`.
            long before = await store.GetChangeVersionAsync(cancellationToken).ConfigureAwait(false);
            var view = await ExperimentView.ReadAsync(store, experimentId, shown, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Experiment '{experimentId}' is no longer in the store {store.Description}.");
            long after = await store.GetChangeVersionAsync(cancellationToken).ConfigureAwait(false);
            var fits = await store.ListFitsChangedAfterAsync(experimentId, sentThrough, cancellationToken).ConfigureAwait(false);
            // The progress goes first, under the id of what was sent before it: a client that
            // resumes from it is sent the progress again and every fit after.
            if (view != shown)
            {
                yield return Event("progress", JsonSerializer.Serialize(view, ApiJson.Options), sentThrough);
                shown = view;
            }
            foreach (var published in fits.Where(fit => fit.Version <= after))
            {
                string data = JsonSerializer.Serialize(ExperimentOutputs.Document(published.Fit), FitOptions);
                yield return Event("fit", data, published.Version);
            }
            sentThrough = Math.Max(sentThrough, after);
            if (view.Phase == ExperimentPhase.Complete)
            {
                yield return Event("complete", JsonSerializer.Serialize(view, ApiJson.Options), sentThrough);
                yield break;
            }
            await store.WaitForChangeAsync(before, Poll, cancellationToken).ConfigureAwait(false);
            await Task.Delay(Pace, cancellationToken).ConfigureAwait(false);
        }
    }

    private static SseItem<string> Event(string type, string data, long id) =>
        new(data, type) { EventId = id.ToString(CultureInfo.InvariantCulture) };
}
