using OrleansPigmm.Training.Initialization;
using OrleansPigmm.Training.Randomness;

namespace OrleansPigmm.Training.Tests;

public class InitializationTests
{
    private static float[] Draw(InitScheme scheme, LayerShape layer, int stream = 0)
    {
        var random = new ReplicaRandom(StreamKey.Derive(7, stream, StreamPurpose.Initialization, 0));
        var weights = new float[layer.Weights];
        WeightInitializer.Fill(scheme, layer, ref random, weights);
        return weights;
    }

    private static (double Mean, double Variance) Moments(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return (mean, values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
    }

    [Theory]
    [InlineData(InitScheme.Gaussian, 1.0)]
    [InlineData(InitScheme.KaimingNormal, 2.0)]
    [InlineData(InitScheme.Uniform, 1.0 / 3)]
    public void Mean_and_variance_match_the_law_scaled_by_fan_in(InitScheme scheme, double varianceTimesFanIn)
    {
        var layer = new LayerShape(Inputs: 250, Outputs: 400);
        var weights = Draw(scheme, layer);
        var (mean, variance) = Moments(weights);
        double expected = varianceTimesFanIn / layer.Inputs;
        // 100 000 draws: the mean is within 5 standard errors of 0, the variance within 2 %.
        Assert.InRange(mean, -5 * Math.Sqrt(expected / weights.Length), 5 * Math.Sqrt(expected / weights.Length));
        Assert.InRange(variance / expected, 0.98, 1.02);
    }

    [Fact]
    public void Gaussian_draws_have_normal_fourth_moment_and_uniform_draws_stay_in_bounds()
    {
        var layer = new LayerShape(Inputs: 100, Outputs: 1000);
        var gaussian = Draw(InitScheme.Gaussian, layer);
        double kurtosis = gaussian.Average(v => Math.Pow(v, 4)) / Math.Pow(gaussian.Average(v => (double)v * v), 2);
        Assert.InRange(kurtosis, 2.9, 3.1);
        var uniform = Draw(InitScheme.Uniform, layer);
        Assert.All(uniform, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.True(uniform.Max() > 0.099f && uniform.Min() < -0.099f);
    }

    [Fact]
    public void Xavier_uniform_fills_its_bounds_with_variance_two_over_fan_in_plus_fan_out()
    {
        var layer = new LayerShape(Inputs: 300, Outputs: 200);
        var weights = Draw(InitScheme.XavierUniform, layer);
        double bound = Math.Sqrt(6.0 / 500);
        Assert.All(weights, v => Assert.InRange(v, -bound, bound));
        Assert.InRange(Moments(weights).Variance / (2.0 / 500), 0.97, 1.03);
    }

    [Theory]
    [InlineData(30, 50)]
    [InlineData(50, 30)]
    [InlineData(40, 40)]
    public void Orthogonal_weights_have_orthonormal_rows_or_columns(int outputs, int inputs)
    {
        var layer = new LayerShape(inputs, outputs);
        var w = Draw(InitScheme.Orthogonal, layer);
        // Gram matrix of the shorter side: W Wᵀ for a wide layer, Wᵀ W for a tall one.
        int small = Math.Min(outputs, inputs);
        for (int a = 0; a < small; a++)
        {
            for (int b = 0; b < small; b++)
            {
                double dot = 0;
                for (int k = 0; k < Math.Max(outputs, inputs); k++)
                {
                    dot += outputs <= inputs ? (double)w[a * inputs + k] * w[b * inputs + k] : (double)w[k * inputs + a] * w[k * inputs + b];
                }
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
            }
        }
    }

    [Fact]
    public void Orthogonal_entries_have_the_variance_of_a_haar_matrix()
    {
        // Entries of a Haar-random n x n orthogonal matrix have mean 0 and variance 1/n.
        var weights = Enumerable.Range(0, 20).SelectMany(s => Draw(InitScheme.Orthogonal, new LayerShape(60, 60), s)).ToArray();
        var (mean, variance) = Moments(weights);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(variance * 60, 0.97, 1.03);
    }

    [Fact]
    public void Permutations_of_an_epoch_are_uniform_and_depend_only_on_their_key()
    {
        var order = new int[10];
        var firstSlotCounts = new int[10];
        for (int epoch = 0; epoch < 20000; epoch++)
        {
            new ReplicaRandom(StreamKey.Derive(1, 2, StreamPurpose.DataOrder, epoch)).FillPermutation(order);
            firstSlotCounts[order[0]]++;
        }
        Assert.All(firstSlotCounts, count => Assert.InRange(count, 1800, 2200));
        var again = new int[10];
        new ReplicaRandom(StreamKey.Derive(1, 2, StreamPurpose.DataOrder, 19999)).FillPermutation(again);
        Assert.Equal(order, again);
        Assert.Equal(Enumerable.Range(0, 10), again.Order());
    }
}
