using System.Net;
using System.Net.Sockets;

namespace OrleansPigmm.Deployment.Tests.Support;

/// <summary>
/// Accepts TCP connections on one address and port and relays each, both ways, to another: a
/// Kubernetes Service's port (postgres:5432) in front of a test's server on a port of its own.
/// </summary>
internal sealed class TcpForwarder : IDisposable
{
    private readonly TcpListener listener;
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<TcpClient> relayed = [];

    public TcpForwarder(IPEndPoint listen, IPEndPoint target)
    {
        this.target = target;
        listener = new TcpListener(listen);
        listener.Start();
        _ = AcceptAsync();
    }

    public void Dispose()
    {
        stopping.Cancel();
        listener.Stop();
        lock (relayed)
        {
            relayed.ForEach(client => client.Dispose());
        }
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception stopped) when (stopped is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(incoming);
        }
    }

    private async Task RelayAsync(TcpClient incoming)
    {
        var outgoing = new TcpClient();
        lock (relayed)
        {
            relayed.Add(incoming);
            relayed.Add(outgoing);
        }
        try
        {
            await outgoing.ConnectAsync(target, stopping.Token);
            // Either side closing ends the relay of both.
            await Task.WhenAny(
                incoming.GetStream().CopyToAsync(outgoing.GetStream(), stopping.Token),
                outgoing.GetStream().CopyToAsync(incoming.GetStream(), stopping.Token));
        }
        catch (Exception closed) when (closed is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            incoming.Dispose();
            outgoing.Dispose();
        }
    }
}
