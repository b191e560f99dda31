using OrleansPigmm.Math.Tests.Reference;
using OrleansPigmm.Mathematics;

namespace OrleansPigmm.Math.Tests.Sampling;

public class PigmmSamplerTests
{
    [Fact]
    public void The_same_seed_gives_the_same_draws()
    {
        var sampler = new PigmmSampler(new PigmmModel(7, PigmmParameters.FromArray(ReferenceData.Parameters)));

        var first = sampler.Sample(new Random(5));
        var again = sampler.Sample(new Random(5));
        var other = sampler.Sample(new Random(6));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Sample_mean_and_covariance_on_each_index_pattern_agree_with_the_model()
    {
        const int n = 5, draws = 20000;
        var model = new PigmmModel(n, RandomModels.Parameters(new Random(55)));
        var sampler = new PigmmSampler(model);
        var random = new Random(56);
        var patternOf = PatternOfEntryPairs(n);
        var patternSize = new int[15];
        foreach (int pattern in patternOf)
        {
            patternSize[pattern]++;
        }
        var entryMean = Enumerable.Range(0, n * n).Select(p => model.Mean(p / n, p % n)).ToArray();
        var meanSum = new double[2];
        var meanSquares = new double[2];
        var covarianceSum = new double[15];
        var covarianceSquares = new double[15];
        var matrix = new double[n * n];
        var average = new double[15];

        for (int s = 0; s < draws; s++)
        {
            sampler.Sample(random, matrix);
            // Per draw, the average over all entries (pairs of entries) of a class: one scalar observation per class.
            double diagonal = Enumerable.Range(0, n).Average(i => matrix[i * n + i]);
            double offDiagonal = (matrix.Sum() - diagonal * n) / (n * (n - 1));
            Accumulate(meanSum, meanSquares, 0, diagonal);
            Accumulate(meanSum, meanSquares, 1, offDiagonal);
            Array.Clear(average);
            for (int row = 0; row < n * n; row++)
            {
                double centredRow = matrix[row] - entryMean[row];
                for (int column = 0; column < n * n; column++)
                {
                    average[patternOf[row * n * n + column]] += centredRow * (matrix[column] - entryMean[column]);
                }
            }
            for (int p = 0; p < 15; p++)
            {
                Accumulate(covarianceSum, covarianceSquares, p, average[p] / patternSize[p]);
            }
        }

        AssertWithinSixStandardErrors(model.Alpha + model.Beta, meanSum[0], meanSquares[0], draws, "diagonal mean");
        AssertWithinSixStandardErrors(model.Alpha, meanSum[1], meanSquares[1], draws, "off-diagonal mean");
        for (int p = 0; p < 15; p++)
        {
            AssertWithinSixStandardErrors(model.PatternCovariances[p], covarianceSum[p], covarianceSquares[p], draws, PigmmModel.CovariancePatternNames[p]);
        }
    }

    [Fact]
    public void A_model_with_a_singular_block_samples_on_its_support()
    {
        // L0 = 0: the V0 coordinates of every draw are exactly the means.
        var parameters = PigmmParameters.FromArray([0.4, -0.3, 0, 0, 0, 0.03, 0.005, -0.004, 0.025, 0.002, 0.02, 0.015, 0.01]);
        var sampler = new PigmmSampler(new PigmmModel(6, parameters));
        var random = new Random(3);

        for (int s = 0; s < 10; s++)
        {
            var coordinates = IrreducibleCoordinates.Of(sampler.Sample(random), 6);
            Close.Assert(0.4, coordinates.X1, 1e-14, what: "x1");
            Close.Assert(-0.3, coordinates.X2, 1e-14, what: "x2");
        }
    }

    [Fact]
    public void A_destination_of_the_wrong_size_is_refused()
    {
        var model = new PigmmModel(4, PigmmParameters.FromArray(ReferenceData.Parameters));
        var sampler = new PigmmSampler(model);

        Assert.Same(model, sampler.Model);
        Assert.Throws<ArgumentException>(() => sampler.Sample(new Random(1), new double[15]));
        Assert.Throws<ArgumentNullException>(() => sampler.Sample(null!));
    }

    private static void Accumulate(double[] sum, double[] squares, int index, double value)
    {
        sum[index] += value;
        squares[index] += value * value;
    }

    private static void AssertWithinSixStandardErrors(double expected, double sum, double squares, int draws, string what)
    {
        double mean = sum / draws;
        double error = System.Math.Sqrt((squares / draws - mean * mean) / draws);
        Assert.True(System.Math.Abs(mean - expected) < 6 * error, $"{what}: sample {mean}, model {expected} +- {error}");
    }

    /// <summary>The pattern of (i, j, k, l) for each pair of flat entry indices (i n + j, k n + l), row-major.</summary>
    private static int[] PatternOfEntryPairs(int n)
    {
        var patternOf = new int[n * n * n * n];
        for (int row = 0; row < n * n; row++)
        {
            for (int column = 0; column < n * n; column++)
            {
                int[] tuple = [row / n, row % n, column / n, column % n];
                var firstSeen = tuple.Distinct().ToList();
                string name = string.Concat(tuple.Select(index => firstSeen.IndexOf(index)));
                patternOf[row * n * n + column] = PigmmModel.CovariancePatternNames.ToList().IndexOf(name);
            }
        }
        return patternOf;
    }
}
