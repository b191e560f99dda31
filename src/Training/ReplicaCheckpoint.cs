using System.Buffers.Binary;

namespace OrleansPigmm.Training;

/// <summary>
/// The byte form of a replica's training state. Little-endian throughout:
/// <code>
/// "PGMMREP1"                 8 bytes, magic and format version
/// spec fingerprint           u64 (TrainingSpec.Fingerprint)
/// replica, epochs completed  i32, i32
/// steps                      i64
/// diverged at epoch          i32 (0: not diverged)
/// last train loss            f64
/// layers L, has moments      i32, u8
/// L x (inputs, outputs)      i32, i32
/// weights of each layer      f32, [out][in]
/// first, then second moments of each layer (if has moments), f32, [out][in]
/// checksum                   u64, FNV-1a of every byte before it
/// </code>
/// The paper's net with Adam takes about 98 KB.
/// </summary>
public sealed class ReplicaCheckpoint
{
    private static ReadOnlySpan<byte> Magic => "PGMMREP1"u8;

    /// <summary>Creates a checkpoint; the arrays are [out][in] per layer.</summary>
    public ReplicaCheckpoint(ulong specFingerprint, ReplicaStatus status, IReadOnlyList<LayerShape> layers, float[][] weights, float[][]? firstMoments, float[][]? secondMoments)
    {
        SpecFingerprint = specFingerprint;
        Status = status;
        Layers = layers;
        Weights = weights;
        FirstMoments = firstMoments;
        SecondMoments = secondMoments;
    }

    /// <summary>Identifies the spec the state belongs to.</summary>
    public ulong SpecFingerprint { get; }

    /// <summary>Replica index, counters, last loss, divergence.</summary>
    public ReplicaStatus Status { get; }

    /// <summary>Layer shapes.</summary>
    public IReadOnlyList<LayerShape> Layers { get; }

    /// <summary>Weights per layer, [out][in].</summary>
    public float[][] Weights { get; }

    /// <summary>Adam's first moments per layer, [out][in]; null for SGD.</summary>
    public float[][]? FirstMoments { get; }

    /// <summary>Adam's second moments per layer, [out][in]; null for SGD.</summary>
    public float[][]? SecondMoments { get; }

    /// <summary>Serialises to the byte form above.</summary>
    public byte[] Encode()
    {
        bool moments = FirstMoments is not null && SecondMoments is not null;
        long floats = Layers.Sum(l => (long)l.Weights) * (moments ? 3 : 1);
        var bytes = new byte[8 + 8 + 4 + 4 + 8 + 4 + 8 + 4 + 1 + 8 * Layers.Count + 4 * floats + 8];
        var writer = new SpanWriter(bytes);
        writer.Bytes(Magic);
        writer.UInt64(SpecFingerprint);
        writer.Int32(Status.Replica);
        writer.Int32(Status.EpochsCompleted);
        writer.Int64(Status.Steps);
        writer.Int32(Status.DivergedAtEpoch);
        writer.Double(Status.LastTrainLoss);
        writer.Int32(Layers.Count);
        writer.Byte(moments ? (byte)1 : (byte)0);
        foreach (var layer in Layers)
        {
            writer.Int32(layer.Inputs);
            writer.Int32(layer.Outputs);
        }
        foreach (var group in moments ? [Weights, FirstMoments!, SecondMoments!] : new[] { Weights })
        {
            foreach (var matrix in group)
            {
                foreach (float value in matrix)
                {
                    writer.Single(value);
                }
            }
        }
        writer.UInt64(Fnv1a.Hash(bytes.AsSpan(0, bytes.Length - 8)));
        return bytes;
    }

    /// <summary>Parses and checks the byte form.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, truncated, inconsistent or failing the checksum.</exception>
    public static ReplicaCheckpoint Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8 + 8 || !bytes[..8].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a replica checkpoint (magic PGMMREP1 missing).");
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes[^8..]) != Fnv1a.Hash(bytes[..^8]))
        {
            throw new InvalidDataException("The replica checkpoint is corrupt (checksum mismatch).");
        }
        var reader = new SpanReader(bytes[8..^8]);
        ulong fingerprint = reader.UInt64();
        int replica = reader.Int32();
        int epochs = reader.Int32();
        long steps = reader.Int64();
        int diverged = reader.Int32();
        double loss = reader.Double();
        var status = new ReplicaStatus(replica, epochs, steps, loss, diverged);
        int count = reader.Int32();
        bool moments = reader.Byte() == 1;
        if (count is < 1 or > 1024)
        {
            throw new InvalidDataException($"The replica checkpoint declares {count} layers.");
        }
        var layers = new LayerShape[count];
        for (int l = 0; l < count; l++)
        {
            layers[l] = new LayerShape(reader.Int32(), reader.Int32());
        }
        static float[][] ReadGroup(ref SpanReader reader, LayerShape[] layers)
        {
            int count = layers.Length;
            var group = new float[count][];
            for (int l = 0; l < count; l++)
            {
                group[l] = new float[layers[l].Weights];
                for (int i = 0; i < group[l].Length; i++)
                {
                    group[l][i] = reader.Single();
                }
            }
            return group;
        }
        var weights = ReadGroup(ref reader, layers);
        var first = moments ? ReadGroup(ref reader, layers) : null;
        var second = moments ? ReadGroup(ref reader, layers) : null;
        reader.ExpectEnd();
        return new ReplicaCheckpoint(fingerprint, status, layers, weights, first, second);
    }

    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> buffer = buffer;
        private int position;

        public void Bytes(ReadOnlySpan<byte> value)
        {
            value.CopyTo(buffer[position..]);
            position += value.Length;
        }

        public void Byte(byte value) => Next(1)[0] = value;

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Next(4), value);

        public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Next(8), value);

        public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Next(8), value);

        public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Next(8), value);

        public void Single(float value) => BinaryPrimitives.WriteSingleLittleEndian(Next(4), value);

        private Span<byte> Next(int size)
        {
            var slice = buffer.Slice(position, size);
            position += size;
            return slice;
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> buffer)
    {
        private readonly ReadOnlySpan<byte> buffer = buffer;
        private int position;

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

        public readonly void ExpectEnd()
        {
            if (position != buffer.Length)
            {
                throw new InvalidDataException($"The replica checkpoint has {buffer.Length - position} unexpected bytes at its end.");
            }
        }

        private ReadOnlySpan<byte> Take(int size)
        {
            if (position + size > buffer.Length)
            {
                throw new InvalidDataException("The replica checkpoint is truncated.");
            }
            var slice = buffer.Slice(position, size);
            position += size;
            return slice;
        }
    }
}
