using FsCheck;
using FsCheck.Fluent;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Statistics;

/// <summary>Accumulation and merging in any order and grouping give bit-identical results.</summary>
public class InvariantAccumulatorMergeProperties
{
    private const string Catalogue = "property";

    /// <summary>An ensemble: K in 13..20 and up to 40 matrices of invariant values drawn from
    /// the whole range an accumulator accepts, plus a seed for the grouping and merge tree.</summary>
    private static readonly Arbitrary<(double[][] Matrices, int Seed)> Ensembles =
        (from invariantCount in Gen.Choose(13, 20)
         from count in Gen.Choose(1, 40)
         from matrices in Gen.ArrayOf(Gen.ArrayOf(Values(), invariantCount), count)
         from seed in Gen.Choose(0, int.MaxValue)
         select (matrices, seed)).ToArbitrary();

    [Fact]
    public void Any_grouping_and_merge_order_gives_the_bytes_and_statistics_of_sequential_accumulation()
    {
        var property = Prop.ForAll(Ensembles, ensemble =>
        {
            var (matrices, seed) = ensemble;
            var random = new Random(seed);
            int invariantCount = matrices[0].Length;
            var sequential = Accumulate(matrices, invariantCount);

            // Random groups (some possibly empty), each filled in a random order...
            int groupCount = random.Next(1, 7);
            var groups = Enumerable.Range(0, groupCount).Select(_ => new List<double[]>()).ToArray();
            foreach (var matrix in matrices.OrderBy(_ => random.Next()))
            {
                groups[random.Next(groupCount)].Add(matrix);
            }
            var pending = groups.Select(group => Accumulate(group, invariantCount)).ToList();
            // ... then merged pairwise in a random tree, in place or into a new accumulator, some
            // parts stored and read back on the way (as between processes).
            while (pending.Count > 1)
            {
                var first = MaybeStoredAndRead(Take(pending, random), random);
                var second = MaybeStoredAndRead(Take(pending, random), random);
                if (random.Next(2) == 0)
                {
                    first.Merge(second);
                    pending.Add(first);
                }
                else
                {
                    pending.Add(InvariantAccumulator.Combine(first, second));
                }
            }
            var merged = pending[0];

            return merged.Count == sequential.Count
                && merged.ToBytes().AsSpan().SequenceEqual(sequential.ToBytes())
                && SameBits(merged.Means(), sequential.Means())
                && SameBits(merged.PopulationStds(), sequential.PopulationStds())
                && SameStatistics(merged.ToQuadraticStatistics(), sequential.ToQuadraticStatistics());
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(150), property);
    }

    /// <summary>Finite values whose squares are finite: every sign and binary exponent from the
    /// subnormals to 2^510, with full random significands, plus zeros and small integers.</summary>
    private static Gen<double> Values() =>
        Gen.Frequency(
            (6, from exponent in Gen.Choose(-1074, 510)
                from high in Gen.Choose(0, int.MaxValue)
                from low in Gen.Choose(0, int.MaxValue)
                from negative in Gen.Elements(false, true)
                select Compose(exponent, high, low, negative)),
            (3, from exponent in Gen.Choose(-40, 40)
                from high in Gen.Choose(0, int.MaxValue)
                from negative in Gen.Elements(false, true)
                select Compose(exponent, high, 0, negative)),
            (1, Gen.Elements(0.0, -0.0, 1.0, -1.0, 3.0, double.Epsilon, -double.Epsilon, System.Math.ScaleB(1, 510))));

    private static double Compose(int exponent, int high, int low, bool negative)
    {
        double significand = 1 + (((long)high << 21) ^ low) * System.Math.ScaleB(1, -52);
        double value = System.Math.ScaleB(significand, exponent);
        return negative ? -value : value;
    }

    private static InvariantAccumulator Accumulate(IEnumerable<double[]> matrices, int invariantCount)
    {
        var accumulator = new InvariantAccumulator(Catalogue, invariantCount, 10);
        foreach (var matrix in matrices)
        {
            accumulator.Add(matrix);
        }
        return accumulator;
    }

    private static InvariantAccumulator Take(List<InvariantAccumulator> pending, Random random)
    {
        int index = random.Next(pending.Count);
        var taken = pending[index];
        pending.RemoveAt(index);
        return taken;
    }

    private static InvariantAccumulator MaybeStoredAndRead(InvariantAccumulator accumulator, Random random) =>
        random.Next(3) == 0 ? InvariantAccumulator.FromBytes(accumulator.ToBytes(), Catalogue) : accumulator;

    private static bool SameBits(double[] a, double[] b) =>
        a.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(b.Select(BitConverter.DoubleToInt64Bits));

    private static bool SameStatistics(QuadraticStatistics a, QuadraticStatistics b) =>
        a.N == b.N && a.Samples == b.Samples && SameBits(a.Means.ToArray(), b.Means.ToArray())
        && SameBits([a.TotalVariance, a.TraceTotalCovariance, a.TraceVariance], [b.TotalVariance, b.TraceTotalCovariance, b.TraceVariance]);
}
