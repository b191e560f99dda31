using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The sufficient statistics of one ensemble of N matrices of size n (one layer at one epoch)
/// over a catalogue of K invariants, summed exactly, so that adding matrices and merging
/// accumulators in any order and any grouping gives bit-identical results and stored bytes
/// (architecture.md, flow step 4; pigmm-math.md sections 6.1 and 10).
/// </summary>
/// <remarks>
/// <para>
/// Each matrix contributes its K invariant values, index 0 holding I1: the first 13 must be
/// I1..I13 in the order of pigmm-math.md section 5.2; the rest are whatever the catalogue (named
/// by <see cref="CatalogueKey"/>) lists. The accumulator keeps N and, for every invariant, the
/// exact sum of the values and the exact sum of their exact squares, plus the exact sum of the
/// products I1 I2 = t S. Means, population variances and the centred moments of the fit are
/// therefore exact quantities of the per-matrix doubles, each rounded once.
/// </para>
/// <para>
/// The centred moments of <see cref="ToQuadraticStatistics"/> use the per-matrix identities
/// I10 = I2^2, I12 = I1^2 and I13 = I1 I2: they are the exact population (co)variances of the
/// per-matrix trace t = I1 and total S = I2, computed as (N sum(x y) - sum(x) sum(y)) / N^2 in
/// integers, free of the cancellation that "mean of square minus square of mean" suffers when
/// |mean| is much larger than the spread.
/// </para>
/// <para>Not thread-safe; a grain or a single thread owns each instance.</para>
/// </remarks>
public sealed class InvariantAccumulator
{
    /// <summary>Version of the stored form written by <see cref="ToBytes"/>.</summary>
    public const int FormatVersion = 1;

    /// <summary>Catalogues start with I1..I13, so they have at least 13 invariants.</summary>
    public const int MinimumInvariantCount = 13;

    /// <summary>Catalogue keys are at most this many bytes in UTF-8.</summary>
    public const int MaximumCatalogueKeyBytes = 1024;

    /// <summary>The largest K (all graphs up to degree 4 number 2 + 11 + 52 + 296 = 361); the
    /// bound also keeps a reader of stored forms from allocating without limit.</summary>
    public const int MaximumInvariantCount = 1 << 16;

    private const int MagicLength = 4;
    private const int ChecksumLength = sizeof(uint);
    private const int TraceIndex = 0;
    private const int TotalIndex = 1;

    private readonly ExactSum[] sums;
    private readonly ExactSum[] sumsOfSquares;
    private readonly ExactSum traceTotalProducts;

    /// <summary>An empty accumulator (N = 0).</summary>
    /// <param name="catalogueKey">Names the catalogue whose invariants are added (stored and
    /// checked on merge and on reading; 1 to <see cref="MaximumCatalogueKeyBytes"/> UTF-8 bytes).</param>
    /// <param name="invariantCount">K, the number of invariants per matrix (13 to <see cref="MaximumInvariantCount"/>).</param>
    /// <param name="matrixSize">n, the size of the n x n matrices (at least 4, section 1).</param>
    /// <exception cref="ArgumentException">An argument is outside the ranges above.</exception>
    public InvariantAccumulator(string catalogueKey, int invariantCount, int matrixSize)
    {
        ArgumentNullException.ThrowIfNull(catalogueKey);
        int keyBytes = Encoding.UTF8.GetByteCount(catalogueKey);
        if (keyBytes == 0 || keyBytes > MaximumCatalogueKeyBytes)
        {
            throw new ArgumentException($"A catalogue key has 1 to {MaximumCatalogueKeyBytes} UTF-8 bytes; got {keyBytes}.", nameof(catalogueKey));
        }
        if (invariantCount < MinimumInvariantCount || invariantCount > MaximumInvariantCount)
        {
            throw new ArgumentOutOfRangeException(nameof(invariantCount), invariantCount, $"A catalogue lists I1..I13 first, so K is between {MinimumInvariantCount} and {MaximumInvariantCount}.");
        }
        if (matrixSize < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(matrixSize), matrixSize, "PIGMMs need matrices of size n >= 4.");
        }
        CatalogueKey = catalogueKey;
        MatrixSize = matrixSize;
        sums = NewSums(invariantCount);
        sumsOfSquares = NewSums(invariantCount);
        traceTotalProducts = new ExactSum();
    }

    /// <summary>The catalogue the invariants come from; accumulators of different catalogues never mix.</summary>
    public string CatalogueKey { get; }

    /// <summary>K, the number of invariants per matrix.</summary>
    public int InvariantCount => sums.Length;

    /// <summary>n, the size of the matrices.</summary>
    public int MatrixSize { get; }

    /// <summary>N, the number of matrices added (directly or through merges).</summary>
    public long Count { get; private set; }

    /// <summary>
    /// Adds one matrix given its K invariant values (index 0 is I1). The values are checked
    /// first: if any is refused, nothing is added.
    /// </summary>
    /// <exception cref="ArgumentException">The span does not have K values, or a value is NaN,
    /// infinite, or so large (|I| &gt; 1.3e154) that its square overflows; the message names the
    /// invariant.</exception>
    public void Add(ReadOnlySpan<double> invariants)
    {
        if (invariants.Length != sums.Length)
        {
            throw new ArgumentException($"Expected {sums.Length} invariant values (catalogue '{CatalogueKey}'), got {invariants.Length}.", nameof(invariants));
        }
        for (int k = 0; k < invariants.Length; k++)
        {
            double value = invariants[k];
            if (!double.IsFinite(value * value))
            {
                string problem = double.IsNaN(value) ? "NaN" : double.IsInfinity(value) ? "infinite" : $"{value:R}, too large to square in double precision";
                throw new ArgumentException($"Invariant I{k + 1} (index {k}) of the matrix is {problem}; such a matrix (e.g. from a diverged run) is refused.", nameof(invariants));
            }
        }
        for (int k = 0; k < invariants.Length; k++)
        {
            double value = invariants[k];
            sums[k].Add(value);
            sumsOfSquares[k].AddProduct(value, value);
        }
        traceTotalProducts.AddProduct(invariants[TraceIndex], invariants[TotalIndex]);
        Count++;
    }

    /// <summary>Adds everything <paramref name="other"/> holds to this accumulator, exactly;
    /// <paramref name="other"/> is unchanged (it may be this instance).</summary>
    /// <exception cref="ArgumentException">The catalogue key, K or n differ.</exception>
    public void Merge(InvariantAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.CatalogueKey != CatalogueKey || other.InvariantCount != InvariantCount || other.MatrixSize != MatrixSize)
        {
            throw new ArgumentException(
                $"Cannot merge an accumulator of catalogue '{other.CatalogueKey}' (K = {other.InvariantCount}, n = {other.MatrixSize}) into one of catalogue '{CatalogueKey}' (K = {InvariantCount}, n = {MatrixSize}).",
                nameof(other));
        }
        long mergedCount = checked(Count + other.Count);
        for (int k = 0; k < sums.Length; k++)
        {
            sums[k].Add(other.sums[k]);
            sumsOfSquares[k].Add(other.sumsOfSquares[k]);
        }
        traceTotalProducts.Add(other.traceTotalProducts);
        Count = mergedCount;
    }

    /// <summary>A new accumulator holding both <paramref name="first"/> and <paramref name="second"/>
    /// (neither is changed); the same as merging in either order.</summary>
    /// <exception cref="ArgumentException">The catalogue key, K or n differ.</exception>
    public static InvariantAccumulator Combine(InvariantAccumulator first, InvariantAccumulator second)
    {
        ArgumentNullException.ThrowIfNull(first);
        var combined = first.Clone();
        combined.Merge(second);
        return combined;
    }

    /// <summary>An independent copy.</summary>
    public InvariantAccumulator Clone()
    {
        var copy = new InvariantAccumulator(CatalogueKey, InvariantCount, MatrixSize);
        copy.Merge(this);
        return copy;
    }

    /// <summary>The ensemble mean (1/N) sum_s I(W^(s)) of the invariant at <paramref name="index"/>
    /// (0-based: index 0 is I1), correctly rounded from the exact sum.</summary>
    /// <exception cref="InvalidOperationException">The accumulator is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..K-1.</exception>
    public double Mean(int index)
    {
        RequireMatrices();
        return sums[CheckIndex(index)].DividedBy(Count);
    }

    /// <summary>The ensemble means of all K invariants, index 0 holding I1 (see <see cref="Mean"/>).</summary>
    /// <exception cref="InvalidOperationException">The accumulator is empty.</exception>
    public double[] Means() => Enumerable.Range(0, InvariantCount).Select(Mean).ToArray();

    /// <summary>
    /// The population variance (1/N) sum_s I^2 - ((1/N) sum_s I)^2 of the invariant at
    /// <paramref name="index"/> (0 is I1), pigmm-math.md section 10: the exact variance of the
    /// per-matrix values, rounded once; 0 exactly when all values are equal. (Only for values
    /// below 2^-484 in magnitude, whose squares cannot be kept exactly, could rounding make the
    /// exact expression negative; it is then reported as 0.)
    /// </summary>
    /// <exception cref="InvalidOperationException">The accumulator is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..K-1.</exception>
    public double PopulationVariance(int index)
    {
        RequireMatrices();
        int k = CheckIndex(index);
        return Math.Max(ExactSum.PopulationCovariance(Count, sums[k], sums[k], sumsOfSquares[k]), 0.0);
    }

    /// <summary>The population standard deviation std_k = sqrt(<see cref="PopulationVariance"/>)
    /// of the invariant at <paramref name="index"/> (0 is I1), section 10's normalisation (1/N).</summary>
    /// <exception cref="InvalidOperationException">The accumulator is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..K-1.</exception>
    public double PopulationStd(int index) => Math.Sqrt(PopulationVariance(index));

    /// <summary>The population standard deviations of all K invariants, index 0 holding I1.</summary>
    /// <exception cref="InvalidOperationException">The accumulator is empty.</exception>
    public double[] PopulationStds() => Enumerable.Range(0, InvariantCount).Select(PopulationStd).ToArray();

    /// <summary>
    /// What the PIGMM fit needs (pigmm-math.md section 6.1): n, N, the means of I1..I13 and the
    /// centred moments Var(S), Cov(t, S), Var(t) (population), each an exact quantity of the
    /// per-matrix values rounded once (see the type's remarks).
    /// </summary>
    /// <exception cref="InvalidOperationException">The accumulator is empty.</exception>
    public QuadraticStatistics ToQuadraticStatistics()
    {
        RequireMatrices();
        var means = Enumerable.Range(0, MinimumInvariantCount).Select(Mean).ToArray();
        return new QuadraticStatistics(
            MatrixSize,
            Count,
            means,
            totalVariance: PopulationVariance(TotalIndex),
            traceTotalCovariance: ExactSum.PopulationCovariance(Count, sums[TraceIndex], sums[TotalIndex], traceTotalProducts),
            traceVariance: PopulationVariance(TraceIndex));
    }

    /// <summary>
    /// The durable stored form, version <see cref="FormatVersion"/>. Equal contents give equal
    /// bytes, whatever the order of additions and merges. Layout (little-endian):
    /// <list type="number">
    /// <item>4 bytes "PIGA"; uint16 format version; uint16 L; L bytes catalogue key (UTF-8);</item>
    /// <item>int32 n; int32 K; int64 N;</item>
    /// <item>2K + 1 exact sums: sum I_k for k = 1..K, then sum I_k^2 for k = 1..K, then sum I1 I2;
    /// each as one byte c (0 for zero) and, if c &gt; 0, one byte i0 and c int32 digits d, the sum
    /// being sum_j d_j 2^(32 (i0 + j) - 1074) in balanced base 2^32 (|d_j| &lt;= 2^31, first and last
    /// nonzero);</item>
    /// <item>uint32 CRC-32C of all preceding bytes.</item>
    /// </list>
    /// Sums of values of similar magnitude take 2 + 4 x (3 to 5) bytes each.
    /// </summary>
    public byte[] ToBytes()
    {
        byte[] key = Encoding.UTF8.GetBytes(CatalogueKey);
        var writer = new ArrayBufferWriter<byte>(HeaderLength(key.Length) + 24 * (2 * InvariantCount + 1) + ChecksumLength);
        var header = writer.GetSpan(HeaderLength(key.Length));
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.Slice(MagicLength), FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header.Slice(MagicLength + 2), (ushort)key.Length);
        key.CopyTo(header.Slice(MagicLength + 4));
        var sizes = header.Slice(MagicLength + 4 + key.Length);
        BinaryPrimitives.WriteInt32LittleEndian(sizes, MatrixSize);
        BinaryPrimitives.WriteInt32LittleEndian(sizes.Slice(4), InvariantCount);
        BinaryPrimitives.WriteInt64LittleEndian(sizes.Slice(8), Count);
        writer.Advance(HeaderLength(key.Length));
        foreach (var sum in StoredSums())
        {
            sum.WriteTo(writer);
        }
        uint checksum = Crc32C.Compute(writer.WrittenSpan);
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(ChecksumLength), checksum);
        writer.Advance(ChecksumLength);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a stored form written by <see cref="ToBytes"/> and checks that it belongs to the
    /// expected catalogue. The checksum is verified before anything else is trusted.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a stored accumulator, have another
    /// format version, are truncated or corrupt (checksum mismatch, malformed fields), or belong
    /// to another catalogue; the message says which.</exception>
    public static InvariantAccumulator FromBytes(ReadOnlySpan<byte> stored, string expectedCatalogueKey)
    {
        ArgumentNullException.ThrowIfNull(expectedCatalogueKey);
        if (stored.Length < MagicLength + 2 || !stored.StartsWith(Magic))
        {
            throw new InvalidDataException($"These {stored.Length} bytes are not a stored invariant accumulator: it starts with the ASCII bytes 'PIGA' and a format version.");
        }
        int version = BinaryPrimitives.ReadUInt16LittleEndian(stored.Slice(MagicLength));
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Stored invariant accumulator has format version {version}; this build reads version {FormatVersion}.");
        }
        if (stored.Length < HeaderLength(0) + 2 * MinimumInvariantCount + 1 + ChecksumLength)
        {
            throw new InvalidDataException($"Stored invariant accumulator is truncated: {stored.Length} bytes are fewer than any stored accumulator has.");
        }
        var body = stored[..^ChecksumLength];
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(stored[^ChecksumLength..]))
        {
            throw new InvalidDataException("Stored invariant accumulator is corrupt or truncated: its CRC-32C checksum does not match its contents.");
        }

        int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(body.Slice(MagicLength + 2));
        if (keyLength == 0 || keyLength > MaximumCatalogueKeyBytes || HeaderLength(keyLength) > body.Length)
        {
            throw new InvalidDataException($"Stored invariant accumulator is corrupt: its catalogue key length {keyLength} is out of range.");
        }
        string key;
        try
        {
            key = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(body.Slice(MagicLength + 4, keyLength));
        }
        catch (DecoderFallbackException error)
        {
            throw new InvalidDataException("Stored invariant accumulator is corrupt: its catalogue key is not valid UTF-8.", error);
        }
        if (key != expectedCatalogueKey)
        {
            throw new InvalidDataException($"Stored invariant accumulator belongs to catalogue '{key}', not to the expected '{expectedCatalogueKey}'.");
        }

        var sizes = body.Slice(MagicLength + 4 + keyLength);
        int matrixSize = BinaryPrimitives.ReadInt32LittleEndian(sizes);
        int invariantCount = BinaryPrimitives.ReadInt32LittleEndian(sizes.Slice(4));
        long count = BinaryPrimitives.ReadInt64LittleEndian(sizes.Slice(8));
        int position = HeaderLength(keyLength);
        if (matrixSize < 4 || invariantCount < MinimumInvariantCount || invariantCount > MaximumInvariantCount || count < 0
            || 2L * invariantCount + 1 > body.Length - position)
        {
            throw new InvalidDataException($"Stored invariant accumulator is corrupt: n = {matrixSize}, K = {invariantCount}, N = {count} do not describe a stored accumulator of {stored.Length} bytes.");
        }

        var accumulator = new InvariantAccumulator(key, invariantCount, matrixSize) { Count = count };
        var slots = accumulator.StoredSums().ToArray();
        var read = new ExactSum[slots.Length];
        for (int i = 0; i < read.Length; i++)
        {
            (read[i], int length) = ExactSum.ReadFrom(body.Slice(position));
            position += length;
        }
        if (position != body.Length)
        {
            throw new InvalidDataException($"Stored invariant accumulator is corrupt: {body.Length - position} bytes follow its last sum.");
        }
        if (count == 0 && read.Any(sum => sum.Sign != 0))
        {
            throw new InvalidDataException("Stored invariant accumulator is corrupt: it holds no matrices but nonzero sums.");
        }
        for (int i = 0; i < read.Length; i++)
        {
            slots[i].Add(read[i]);
        }
        return accumulator;
    }

    private static ReadOnlySpan<byte> Magic => "PIGA"u8;

    /// <summary>Bytes before the first sum: magic, version, key length, key, n, K, N.</summary>
    private static int HeaderLength(int keyBytes) => MagicLength + 2 + 2 + keyBytes + 4 + 4 + 8;

    /// <summary>The sums in stored order: sum I_k (k = 1..K), sum I_k^2 (k = 1..K), sum I1 I2.</summary>
    private IEnumerable<ExactSum> StoredSums() => sums.Concat(sumsOfSquares).Append(traceTotalProducts);

    private static ExactSum[] NewSums(int count)
    {
        var created = new ExactSum[count];
        for (int k = 0; k < count; k++)
        {
            created[k] = new ExactSum();
        }
        return created;
    }

    private void RequireMatrices()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException($"The accumulator (catalogue '{CatalogueKey}', n = {MatrixSize}) holds no matrices yet; means and spreads need N >= 1.");
        }
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)sums.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Invariant indices run from 0 (I1) to {sums.Length - 1} (I{sums.Length}).");
        }
        return index;
    }
}
