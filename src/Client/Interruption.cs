namespace OrleansPigmm.Client;

/// <summary>Turns Ctrl+C into cancellation of a token, so that a command can stop cleanly
/// (restore the cursor, let the silo abandon its epochs in flight) instead of being killed.</summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource source;

    /// <summary>Cancels <see cref="Token"/> on Ctrl+C or when <paramref name="outer"/> is cancelled.</summary>
    public Interruption(CancellationToken outer)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    public CancellationToken Token => source.Token;

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        source.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs press)
    {
        press.Cancel = true;
        source.Cancel();
    }
}
