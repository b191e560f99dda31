using System.Buffers.Binary;
using System.Text;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Statistics;

public class InvariantAccumulatorStoredFormTests
{
    private const string Catalogue = "paper-52";

    [Fact]
    public void Round_trip_keeps_every_statistic_and_further_additions_agree()
    {
        var original = Sample(matrices: 9, invariantCount: 20);

        var restored = InvariantAccumulator.FromBytes(original.ToBytes(), Catalogue);

        Assert.Equal(original.ToBytes(), restored.ToBytes());
        Assert.Equal((original.CatalogueKey, original.InvariantCount, original.MatrixSize, original.Count), (restored.CatalogueKey, restored.InvariantCount, restored.MatrixSize, restored.Count));
        Assert.Equal(original.Means(), restored.Means());
        Assert.Equal(original.PopulationStds(), restored.PopulationStds());
        Assert.Equal(original.ToQuadraticStatistics(), restored.ToQuadraticStatistics(), QuadraticStatisticsComparer.Instance);
        var next = Enumerable.Range(0, 20).Select(k => -0.25 * k).ToArray();
        original.Add(next);
        restored.Add(next);
        Assert.Equal(original.ToBytes(), restored.ToBytes());
    }

    [Fact]
    public void An_empty_accumulator_round_trips()
    {
        var empty = new InvariantAccumulator(Catalogue, 13, 4);

        var restored = InvariantAccumulator.FromBytes(empty.ToBytes(), Catalogue);

        Assert.Equal(0, restored.Count);
        Assert.Equal(empty.ToBytes(), restored.ToBytes());
    }

    [Fact]
    public void The_layout_is_pinned()
    {
        var ensemble = new InvariantAccumulator("k", 13, 4);
        ensemble.Add(InvariantAccumulatorTests.Invariants(1));

        var bytes = ensemble.ToBytes();

        // 4 magic + 2 version + 2 key length + 1 key + 4 n + 4 K + 8 N
        Assert.Equal("PIGA"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.Equal((byte)'k', bytes[8]);
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(9)));
        Assert.Equal(13, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(13)));
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)));
        // The first sum, I1 = 1 = 2^1074 * 2^-1074: digit 33 (weight 2^(32*33 - 1074) = 2^-18) holds 2^18.
        Assert.Equal([1, 33], bytes[25..27]);
        Assert.Equal(1 << 18, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(27)));
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));
        // Squares k^2 follow the sums k, then I1 I2 = 2, then the checksum.
        Assert.Equal(
            "50494741010001006B040000000D000000010000000000000001210000040001210000080001210000"
            + "0C00012100001000012100001400012100001800012100001C0001210000200001210000240001210000"
            + "2800012100002C0001210000300001210000340001210000040001210000100001210000240001210000"
            + "400001210000640001210000900001210000C40001210000000101210000440101210000900101210000"
            + "E40101210000400201210000A402012100000800E41772C4",
            Convert.ToHexString(bytes));
    }

    [Fact]
    public void Crc32C_has_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Every_single_byte_corruption_is_detected()
    {
        var bytes = Sample(matrices: 3, invariantCount: 13).ToBytes();

        for (int position = 0; position < bytes.Length; position++)
        {
            foreach (byte flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                var corrupt = (byte[])bytes.Clone();
                corrupt[position] ^= flip;
                Assert.Throws<InvalidDataException>(() => InvariantAccumulator.FromBytes(corrupt, Catalogue));
            }
        }
    }

    [Fact]
    public void Every_truncation_is_detected()
    {
        var bytes = Sample(matrices: 3, invariantCount: 13).ToBytes();

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => InvariantAccumulator.FromBytes(bytes.AsSpan(0, length), Catalogue));
        }
    }

    [Fact]
    public void Another_format_version_is_named()
    {
        var bytes = Sample(matrices: 2, invariantCount: 13).ToBytes();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 2);

        var error = Assert.Throws<InvalidDataException>(() => InvariantAccumulator.FromBytes(bytes, Catalogue));

        Assert.Contains("format version 2", error.Message);
        Assert.Contains("reads version 1", error.Message);
    }

    [Fact]
    public void Another_catalogue_is_named()
    {
        var bytes = Sample(matrices: 2, invariantCount: 13).ToBytes();

        var error = Assert.Throws<InvalidDataException>(() => InvariantAccumulator.FromBytes(bytes, "all-296-quartic"));

        Assert.Contains("'paper-52'", error.Message);
        Assert.Contains("'all-296-quartic'", error.Message);
    }

    [Fact]
    public void Bytes_of_something_else_are_named_as_such()
    {
        var error = Assert.Throws<InvalidDataException>(() => InvariantAccumulator.FromBytes("{\"n\": 10}"u8, Catalogue));

        Assert.Contains("not a stored invariant accumulator", error.Message);
    }

    [Fact]
    public void Malformed_contents_with_a_valid_checksum_are_refused()
    {
        var bytes = Sample(matrices: 2, invariantCount: 13).ToBytes();
        int countOffset = 8 + Catalogue.Length + 8;

        var noMatrices = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(noMatrices.AsSpan(countOffset), 0);
        var trailing = bytes[..^4].Append((byte)0).Concat(new byte[4]).ToArray();
        var smallMatrix = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(smallMatrix.AsSpan(countOffset - 8), 3);

        Assert.Contains("no matrices but nonzero sums", ReadWithValidChecksum(noMatrices));
        Assert.Contains("follow its last sum", ReadWithValidChecksum(trailing));
        Assert.Contains("n = 3", ReadWithValidChecksum(smallMatrix));
    }

    [Fact]
    public void A_non_canonical_sum_is_refused()
    {
        var bytes = new InvariantAccumulator(Catalogue, 13, 4).ToBytes();
        int firstSum = 8 + Catalogue.Length + 16;
        // Replace the first (zero) sum by a digit run with a zero top digit, and set N = 1.
        byte[] nonCanonical = [2, 40, 1, 0, 0, 0, 0, 0, 0, 0];
        var tampered = bytes[..firstSum].Concat(nonCanonical).Concat(bytes[(firstSum + 1)..]).ToArray();
        BinaryPrimitives.WriteInt64LittleEndian(tampered.AsSpan(firstSum - 8), 1);

        Assert.Contains("not canonical", ReadWithValidChecksum(tampered));
    }

    [Fact]
    public void Typical_stored_forms_are_compact()
    {
        var bytes = Sample(matrices: 1000, invariantCount: 52).ToBytes();

        Assert.True(bytes.Length < 52 * 2 * 26 + 100, $"{bytes.Length} bytes for K = 52.");
    }

    private static string ReadWithValidChecksum(byte[] bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return Assert.Throws<InvalidDataException>(() => InvariantAccumulator.FromBytes(bytes, Catalogue)).Message;
    }

    private static InvariantAccumulator Sample(int matrices, int invariantCount)
    {
        var random = new Random(matrices * 31 + invariantCount);
        var ensemble = new InvariantAccumulator(Catalogue, invariantCount, 10);
        for (int s = 0; s < matrices; s++)
        {
            ensemble.Add(Enumerable.Range(0, invariantCount).Select(_ => random.NextDouble() * 4 - 1).ToArray());
        }
        return ensemble;
    }

    private sealed class QuadraticStatisticsComparer : IEqualityComparer<QuadraticStatistics>
    {
        public static QuadraticStatisticsComparer Instance { get; } = new();

        public bool Equals(QuadraticStatistics? x, QuadraticStatistics? y) =>
            x is not null && y is not null && x.N == y.N && x.Samples == y.Samples && x.Means.SequenceEqual(y.Means)
            && x.TotalVariance == y.TotalVariance && x.TraceTotalCovariance == y.TraceTotalCovariance && x.TraceVariance == y.TraceVariance;

        public int GetHashCode(QuadraticStatistics obj) => obj.TotalVariance.GetHashCode();
    }
}
