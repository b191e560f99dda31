using System.Buffers.Binary;
using OrleansPigmm.Training;

namespace OrleansPigmm.Grains;

/// <summary>
/// A batch's checkpoint: the training states of its replicas, in slot order, as one value.
/// Layout (little-endian): int32 replica count, then for each replica int32 length and the
/// bytes of <see cref="IEnsembleTrainer.ExportState"/> (which carry their own checks).
/// </summary>
internal static class BatchCheckpoint
{
    public static byte[] Export(IEnsembleTrainer trainer)
    {
        var states = Enumerable.Range(0, trainer.Replicas.Count).Select(trainer.ExportState).ToArray();
        var bytes = new byte[sizeof(int) * (1 + states.Length) + states.Sum(s => (long)s.Length)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, states.Length);
        int offset = sizeof(int);
        foreach (var state in states)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), state.Length);
            state.CopyTo(bytes.AsSpan(offset + sizeof(int)));
            offset += sizeof(int) + state.Length;
        }
        return bytes;
    }

    /// <exception cref="InvalidDataException">The checkpoint is malformed or is not of this trainer's replicas.</exception>
    public static void Import(IEnsembleTrainer trainer, ReadOnlySpan<byte> checkpoint)
    {
        if (checkpoint.Length < sizeof(int) || BinaryPrimitives.ReadInt32LittleEndian(checkpoint) != trainer.Replicas.Count)
        {
            throw new InvalidDataException($"The batch checkpoint does not hold the states of {trainer.Replicas.Count} replicas.");
        }
        int offset = sizeof(int);
        for (int slot = 0; slot < trainer.Replicas.Count; slot++)
        {
            int length = offset + sizeof(int) <= checkpoint.Length ? BinaryPrimitives.ReadInt32LittleEndian(checkpoint[offset..]) : -1;
            if (length < 0 || offset + sizeof(int) + length > checkpoint.Length)
            {
                throw new InvalidDataException($"The batch checkpoint is truncated at replica slot {slot}.");
            }
            trainer.ImportState(slot, checkpoint.Slice(offset + sizeof(int), length));
            offset += sizeof(int) + length;
        }
    }
}
