using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansPigmm.Mathematics;

/// <summary>
/// The exact sum of any number of finite doubles, independent of the order and grouping of the
/// additions: a fixed-point "long accumulator" that spans the whole double range.
/// </summary>
/// <remarks>
/// <para>
/// The value is held as sum_i digits[i] * 2^(32 i - 1074), i = 0..67: every finite double is an
/// integer multiple of 2^-1074 below 2^1024, so it is added exactly as at most three 32-bit digit
/// contributions (O(1) per addition, a few nanoseconds). Digits are 64-bit, so carries are
/// propagated lazily, once every 2^29 additions and when a value is read; 68 digits leave room for
/// 2^62 terms of any size without overflow. Only a window around the digits in use is stored,
/// so a sum of values of similar size takes about a hundred bytes. Integer addition is associative and commutative, so
/// adding and merging in any order and grouping gives the same exact value, and every read (the
/// rounded value, derived quantities, the stored form) is a function of that value alone.
/// </para>
/// <para>
/// Reads never change the instance. Instances are not thread-safe: synchronise concurrent use.
/// </para>
/// </remarks>
public sealed class ExactSum
{
    /// <summary>Bits per digit.</summary>
    private const int DigitBits = 32;

    /// <summary>Number of digits: 2098 bits for the double range, 63 of headroom, 1 of sign.</summary>
    internal const int DigitCount = 68;

    /// <summary>The weight of bit 0 of digit 0 is 2^LowestExponent (the smallest subnormal).</summary>
    internal const int LowestExponent = -1074;

    /// <summary>Balanced digits lie in [-2^31, 2^31); an addition contributes less than 2^32 to a
    /// digit, so after fewer than 2^29 additions (or merges) since the last balancing every digit
    /// is below 2^62 in magnitude and a merge of two such sums cannot overflow.</summary>
    private const int PendingLimit = 1 << 29;

    private const long HalfDigit = 1L << (DigitBits - 1);

    // Extra digits allocated on each side when the window grows, so that sums whose magnitude
    // drifts (growing totals, smaller late values) reallocate rarely.
    private const int WindowMargin = 2;

    // window[i] is digit windowStart + i; digits outside the window are zero.
    private long[] window = [];
    private int windowStart;

    // Digits outside [lowest, highest] are zero (the range is empty when lowest > highest); it
    // keeps merges, reads and the stored form proportional to the bits in use.
    private int lowest = DigitCount;
    private int highest = -1;

    // Additions and merges since the digits were last balanced.
    private int pending;

    /// <summary>-1, 0 or +1: the sign of the exact sum.</summary>
    public int Sign
    {
        get
        {
            Span<long> balanced = stackalloc long[DigitCount];
            var (low, high) = Balanced(balanced);
            return low > high ? 0 : Math.Sign(balanced[high]);
        }
    }

    /// <summary>Adds <paramref name="value"/> exactly. Signed zeros add nothing.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> is NaN or infinite; the sum is unchanged.</exception>
    public void Add(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        int biasedExponent = (int)(bits >> 52) & 0x7FF;
        ulong significand = bits & 0x000F_FFFF_FFFF_FFFF;
        if (biasedExponent == 0x7FF)
        {
            ThrowNotFinite(value);
        }
        if (biasedExponent == 0)
        {
            if (significand == 0)
            {
                return;
            }
            biasedExponent = 1;
        }
        else
        {
            significand |= 1UL << 52;
        }

        // value = ±significand * 2^(biasedExponent - 1075): its lowest bit sits at fixed-point
        // position biasedExponent - 1 (position 0 has weight 2^-1074).
        int position = biasedExponent - 1;
        int index = position >> 5;
        int shift = position & (DigitBits - 1);
        long negate = -(long)(bits >> 63);
        long low = (uint)(significand << shift);
        long middle = (uint)(significand >> (DigitBits - shift));
        // Two shifts, because a shift by 64 would be taken modulo 64 when shift is 0.
        long high = (long)((significand >> 1) >> (2 * DigitBits - 1 - shift));
        int local = index - windowStart;
        if (local < 0 || local + 3 > window.Length)
        {
            Cover(index, index + 2);
            local = index - windowStart;
            Debug.Assert(local >= 0 && local + 3 <= window.Length, "Cover must make room for three digits.");
        }
        // The check above keeps local..local+2 inside the window, so the runtime's own bounds
        // checks are skipped on this hot path.
        ref long digit = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(window), local);
        digit += (low ^ negate) - negate;
        Unsafe.Add(ref digit, 1) += (middle ^ negate) - negate;
        Unsafe.Add(ref digit, 2) += (high ^ negate) - negate;
        if (index < lowest)
        {
            lowest = index;
        }
        if (index + 2 > highest)
        {
            highest = index + 2;
        }
        if (++pending == PendingLimit)
        {
            BalanceInPlace();
        }
    }

    /// <summary>
    /// Adds the exact product <paramref name="a"/> * <paramref name="b"/> as the two doubles
    /// p = fl(a b) and e = fma(a, b, -p), whose sum is a b exactly whenever |a b| &gt;= 2^-969 or
    /// a b = 0. Below that the product is rounded at the resolution 2^-1074; the result is the
    /// same for every order and grouping either way.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is NaN or infinite, or |a b| overflows; the sum is unchanged.</exception>
    public void AddProduct(double a, double b)
    {
        double product = a * b;
        if (!double.IsFinite(product))
        {
            throw new ArgumentException($"The product {a:R} * {b:R} is not a finite number, so it cannot be added exactly.", nameof(a));
        }
        Add(product);
        Add(Math.FusedMultiplyAdd(a, b, -product));
    }

    /// <summary>Adds the exact value of <paramref name="other"/> to this sum (a merge);
    /// <paramref name="other"/> is unchanged and may be this instance.</summary>
    public void Add(ExactSum other)
    {
        ArgumentNullException.ThrowIfNull(other);
        int otherLowest = other.lowest, otherHighest = other.highest;
        if (otherLowest > otherHighest)
        {
            return;
        }
        Cover(otherLowest, otherHighest);
        // Read the other's window only now: when other is this instance, Cover may have moved it.
        var source = other.window.AsSpan(otherLowest - other.windowStart, otherHighest - otherLowest + 1);
        var target = window.AsSpan(otherLowest - windowStart, source.Length);
        for (int i = 0; i < source.Length; i++)
        {
            target[i] += source[i];
        }
        if (otherLowest < lowest)
        {
            lowest = otherLowest;
        }
        if (otherHighest > highest)
        {
            highest = otherHighest;
        }
        // The other sum's balanced part counts as one more addition.
        pending += other.pending + 1;
        if (pending >= PendingLimit)
        {
            BalanceInPlace();
        }
    }

    /// <summary>An independent copy with the same exact value.</summary>
    public ExactSum Clone()
    {
        var copy = new ExactSum();
        copy.Add(this);
        return copy;
    }

    /// <summary>The exact sum rounded to the nearest double (ties to even): +0 for an exact zero,
    /// an infinity if the sum's magnitude rounds beyond double.MaxValue.</summary>
    public double ToDouble() => CorrectRounding.ToDouble(ScaledValue(), BigInteger.One, LowestExponent);

    /// <summary>The exact sum divided by <paramref name="divisor"/>, rounded once to the nearest
    /// double (ties to even); e.g. a mean from the sum of N values and N.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is not positive.</exception>
    public double DividedBy(long divisor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(divisor);
        return CorrectRounding.ToDouble(ScaledValue(), divisor, LowestExponent);
    }

    /// <summary>
    /// The population covariance of N pairs (x_s, y_s) from exact sums: (N sum(x y) - sum(x)
    /// sum(y)) / N^2, evaluated exactly and rounded once to the nearest double, so there is no
    /// cancellation however large the means are compared with the spread. With x = y it is the
    /// population variance (normalisation 1/N). Exact when <paramref name="sumOfProducts"/> is
    /// the exact sum of the products (see <see cref="AddProduct"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public static double PopulationCovariance(long count, ExactSum sumX, ExactSum sumY, ExactSum sumOfProducts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(sumX);
        ArgumentNullException.ThrowIfNull(sumY);
        ArgumentNullException.ThrowIfNull(sumOfProducts);
        // Bring N sum(xy) (weight 2^-1074) to the weight 2^-2148 of sum(x) sum(y).
        var numerator = ((count * sumOfProducts.ScaledValue()) << -LowestExponent) - sumX.ScaledValue() * sumY.ScaledValue();
        return CorrectRounding.ToDouble(numerator, (BigInteger)count * count, 2 * LowestExponent);
    }

    /// <summary>The exact sum times 2^1074: an integer.</summary>
    internal BigInteger ScaledValue()
    {
        Span<long> balanced = stackalloc long[DigitCount];
        var (low, high) = Balanced(balanced);
        var value = BigInteger.Zero;
        for (int i = high; i >= low; i--)
        {
            value = (value << DigitBits) + balanced[i];
        }
        return low > high ? value : value << (DigitBits * low);
    }

    /// <summary>
    /// Writes the canonical stored form: one byte c, the number of balanced digits from the
    /// lowest to the highest nonzero one (0 for an exact zero); then, if c &gt; 0, one byte with
    /// the index of the lowest digit and c signed 32-bit little-endian digits, lowest first.
    /// Equal values give equal bytes.
    /// </summary>
    internal void WriteTo(IBufferWriter<byte> writer)
    {
        Span<long> balanced = stackalloc long[DigitCount];
        var (low, high) = Balanced(balanced);
        int count = Math.Max(high - low + 1, 0);
        var destination = writer.GetSpan(2 + 4 * count);
        destination[0] = (byte)count;
        if (count == 0)
        {
            writer.Advance(1);
            return;
        }
        destination[1] = (byte)low;
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination.Slice(2 + 4 * i), (int)balanced[low + i]);
        }
        writer.Advance(2 + 4 * count);
    }

    /// <summary>Reads a stored form written by <see cref="WriteTo"/>; returns the sum and the
    /// number of bytes read.</summary>
    /// <exception cref="InvalidDataException">The bytes are truncated or not a canonical stored form.</exception>
    internal static (ExactSum Sum, int BytesRead) ReadFrom(ReadOnlySpan<byte> source)
    {
        var sum = new ExactSum();
        if (source.IsEmpty)
        {
            throw new InvalidDataException("Stored exact sum is truncated: its digit count is missing.");
        }
        int count = source[0];
        if (count == 0)
        {
            return (sum, 1);
        }
        if (source.Length < 2 + 4 * count)
        {
            throw new InvalidDataException($"Stored exact sum is truncated: it announces {count} digits.");
        }
        int low = source[1];
        if (low + count > DigitCount)
        {
            throw new InvalidDataException($"Stored exact sum has digits {low}..{low + count - 1}; digits run from 0 to {DigitCount - 1}.");
        }
        int first = BinaryPrimitives.ReadInt32LittleEndian(source.Slice(2));
        int last = BinaryPrimitives.ReadInt32LittleEndian(source.Slice(2 + 4 * (count - 1)));
        if (first == 0 || last == 0)
        {
            throw new InvalidDataException("Stored exact sum is not canonical: its first and last digits must be nonzero.");
        }
        sum.Cover(low, low + count - 1);
        for (int i = 0; i < count; i++)
        {
            sum.window[low + i - sum.windowStart] = BinaryPrimitives.ReadInt32LittleEndian(source.Slice(2 + 4 * i));
        }
        (sum.lowest, sum.highest) = (low, low + count - 1);
        return (sum, 2 + 4 * count);
    }

    /// <summary>Copies the digits into <paramref name="balanced"/> (length <see cref="DigitCount"/>,
    /// zero outside the returned range) and balances them there: the canonical digits of the value,
    /// each in [-2^31, 2^31), in the range (Low, High), empty (Low &gt; High) for zero.</summary>
    private (int Low, int High) Balanced(Span<long> balanced)
    {
        if (lowest > highest)
        {
            return (lowest, highest);
        }
        window.AsSpan(lowest - windowStart, highest - lowest + 1).CopyTo(balanced.Slice(lowest));
        return Balance(balanced, 0, lowest, highest);
    }

    private void BalanceInPlace()
    {
        if (lowest <= highest)
        {
            // Carries reach at most one digit above the highest (Cover keeps room for it).
            Cover(lowest, highest);
            (lowest, highest) = Balance(window, windowStart, lowest, highest);
            if (lowest > highest)
            {
                (lowest, highest) = (DigitCount, -1);
            }
        }
        pending = 0;
    }

    /// <summary>Grows the window, if needed, to hold digits first..last and the digit above
    /// (for carries), keeping the digits in use.</summary>
    private void Cover(int first, int last)
    {
        int needStart = Math.Min(first, lowest);
        int needEnd = Math.Min(Math.Max(last, highest) + 2, DigitCount);
        if (needStart >= windowStart && needEnd <= windowStart + window.Length)
        {
            return;
        }
        int start = Math.Max(needStart - WindowMargin, 0);
        var grown = new long[Math.Min(needEnd + WindowMargin, DigitCount) - start];
        if (lowest <= highest)
        {
            window.AsSpan(lowest - windowStart, highest - lowest + 1).CopyTo(grown.AsSpan(lowest - start));
        }
        (window, windowStart) = (grown, start);
    }

    /// <summary>
    /// Propagates carries so that every digit but the top one lies in [-2^31, 2^31): the balanced
    /// base-2^32 representation, unique for each integer, so equal values get equal digits. The
    /// top digit takes the remaining carry (small: the value is below 2^2161 in units of 2^-1074).
    /// Digit i is d[i - start]. Returns the range of nonzero digits (empty if the value is zero).
    /// </summary>
    private static (int Low, int High) Balance(Span<long> d, int start, int low, int high)
    {
        for (int i = low; i < DigitCount - 1 && i <= high; i++)
        {
            long carry = (d[i - start] + HalfDigit) >> DigitBits;
            if (carry != 0)
            {
                d[i - start] -= carry << DigitBits;
                d[i + 1 - start] += carry;
                if (i + 1 > high)
                {
                    high = i + 1;
                }
            }
        }
        while (low <= high && d[low - start] == 0)
        {
            low++;
        }
        while (high >= low && d[high - start] == 0)
        {
            high--;
        }
        return (low, high);
    }

    [DoesNotReturn]
    private static void ThrowNotFinite(double value) =>
        throw new ArgumentException($"An exact sum takes finite numbers only; got {value}.", nameof(value));
}
