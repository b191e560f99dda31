namespace OrleansPigmm.Training.Randomness;

/// <summary>What a random stream of a replica is used for; part of the stream's key.</summary>
internal enum StreamPurpose : ulong
{
    /// <summary>Initial weights of one layer (index = layer).</summary>
    Initialization = 1,

    /// <summary>Order of the training samples in one epoch (index = epoch).</summary>
    DataOrder = 2,
}

/// <summary>
/// Counter-based keys: every stream is a pure function of (experiment seed, replica index,
/// purpose, index), so a replica's initial weights and each epoch's data order can be recomputed
/// anywhere without storing generator state, whatever other replicas exist.
/// </summary>
internal static class StreamKey
{
    /// <summary>The key of one stream.</summary>
    public static ulong Derive(long seed, int replica, StreamPurpose purpose, int index)
    {
        ulong key = Mix((ulong)seed ^ 0x5851F42D4C957F2DUL);
        key = Mix(key ^ (uint)replica);
        key = Mix(key ^ (ulong)purpose);
        return Mix(key ^ (uint)index);
    }

    /// <summary>The SplitMix64 finaliser (Steele, Lea and Flood, 2014): a bijective 64-bit mixer.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>xoshiro256** (Blackman and Vigna, 2018) seeded from a stream key through SplitMix64.</summary>
internal struct ReplicaRandom
{
    private ulong s0, s1, s2, s3;
    private double spareGaussian;
    private bool hasSpare;

    public ReplicaRandom(ulong key)
    {
        s0 = StreamKey.Mix(key);
        s1 = StreamKey.Mix(s0);
        s2 = StreamKey.Mix(s1);
        s3 = StreamKey.Mix(s2);
        spareGaussian = 0;
        hasSpare = false;
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound) without bias (Lemire's multiply-and-reject).</summary>
    public uint NextBelow(uint bound)
    {
        ulong product = (ulong)(uint)(NextUInt64() >> 32) * bound;
        uint low = (uint)product;
        if (low < bound)
        {
            uint threshold = (uint)(-bound % bound);
            while (low < threshold)
            {
                product = (ulong)(uint)(NextUInt64() >> 32) * bound;
                low = (uint)product;
            }
        }
        return (uint)(product >> 32);
    }

    /// <summary>Standard normal deviate (Box-Muller, both values of each pair used).</summary>
    public double NextGaussian()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spareGaussian;
        }
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        spareGaussian = radius * Math.Sin(angle);
        hasSpare = true;
        return radius * Math.Cos(angle);
    }

    /// <summary>Fills <paramref name="order"/> with a uniformly random permutation of 0..Length-1 (Fisher-Yates).</summary>
    public void FillPermutation(Span<int> order)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)NextBelow((uint)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
