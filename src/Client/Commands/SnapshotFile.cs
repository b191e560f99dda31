using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using OrleansPigmm.Formats;
using OrleansPigmm.Formats.Npy;

namespace OrleansPigmm.Client.Commands;

/// <summary>
/// A float32 .npy file of shape (replicas, epochs + 1, layers, n, n) filled one snapshot (all
/// recorded layers of one replica after one epoch) at a time, in any order: training produces
/// epochs for all replicas while the file is replica-major. Data goes to the partial file of
/// <see cref="AtomicFile"/> and is moved to PATH by <see cref="Complete"/>, so an interrupted run
/// never leaves a file that looks whole.
/// </summary>
internal sealed class SnapshotFile : IDisposable
{
    private readonly string path;
    private readonly SafeFileHandle handle;
    private readonly long dataOffset;
    private readonly int epochs;
    private readonly int snapshotFloats;
    private bool completed;

    public SnapshotFile(string path, int replicas, int epochs, int layers, int n)
    {
        this.path = path;
        this.epochs = epochs;
        snapshotFloats = layers * n * n;
        var header = NpyHeader.Encode(NpyElementType.Float32, [replicas, epochs + 1, layers, n, n]);
        dataOffset = header.Length;
        handle = File.OpenHandle(AtomicFile.PartialPath(path), FileMode.Create, FileAccess.ReadWrite, FileShare.None, FileOptions.None,
            preallocationSize: dataOffset + 4L * replicas * (epochs + 1) * snapshotFloats);
        RandomAccess.Write(handle, header, 0);
        RandomAccess.SetLength(handle, dataOffset + 4L * replicas * (epochs + 1) * snapshotFloats);
    }

    /// <summary>Floats in one snapshot: layers · n · n.</summary>
    public int SnapshotFloats => snapshotFloats;

    /// <summary>Writes the snapshot of <paramref name="replicaSlot"/> after <paramref name="epoch"/> epochs (0: initial weights).</summary>
    public void Write(int replicaSlot, int epoch, ReadOnlySpan<float> snapshot)
    {
        if (snapshot.Length != snapshotFloats || !BitConverter.IsLittleEndian)
        {
            throw new ArgumentException($"A snapshot is {snapshotFloats} little-endian floats.", nameof(snapshot));
        }
        long index = (long)replicaSlot * (epochs + 1) + epoch;
        RandomAccess.Write(handle, MemoryMarshal.AsBytes(snapshot), dataOffset + 4 * index * snapshotFloats);
    }

    /// <summary>Flushes and moves the file into place.</summary>
    public void Complete()
    {
        RandomAccess.FlushToDisk(handle);
        handle.Dispose();
        AtomicFile.Commit(path);
        completed = true;
    }

    public void Dispose()
    {
        if (!completed)
        {
            handle.Dispose();
            AtomicFile.Discard(path);
        }
    }
}
