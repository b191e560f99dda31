using System.Runtime.Intrinsics;
using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Cpu.Kernels;
using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Cpu;

public class AdamTests
{
    [Fact]
    public void One_training_step_moves_each_weight_as_hand_computed_from_its_gradient()
    {
        // One batch of the whole subset is one step; Adam's first step is w - lr·g/(|g| + ε).
        var dataset = TestData.Synthetic(train: 50, test: 10, pixels: 30, classes: 4);
        var spec = new TrainingSpec { Dataset = "synthetic", HiddenWidths = [6, 6], BatchSize = 50, TrainingSamples = 50 };
        using var trainer = Trainers.Create(spec, dataset, [2]);
        var before = Trainers.Weights(trainer, 0);
        var gradients = trainer.Shape.Layers.Select(l => new float[l.Weights]).ToArray();
        trainer.LossAndGradients(0, Enumerable.Range(0, 50).ToArray(), gradients);

        trainer.TrainEpoch();

        Assert.Equal(1, trainer.Status(0).Steps);
        var after = Trainers.Weights(trainer, 0);
        for (int l = 0; l < before.Length; l++)
        {
            for (int i = 0; i < before[l].Length; i++)
            {
                double g = gradients[l][i];
                double expected = before[l][i] - 1e-3 * g / (Math.Abs(g) + 1e-8);
                // The epoch visits the rows in another order, which may change g in its last bits;
                // the step barely depends on g unless |g| is near ε.
                Assert.Equal(expected, after[l][i], 2e-7);
            }
        }
    }

    [Fact]
    public void Kernel_step_with_weight_decay_equals_the_formula_in_double_precision()
    {
        int n = Vector128<float>.Count * 3;
        var weights = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i + 1)).ToArray();
        var gradient = Enumerable.Range(0, n).Select(i => (float)Math.Cos(3 * i) * 0.01f).ToArray();
        var m = Enumerable.Range(0, n).Select(i => 0.002f * (i % 5 - 2)).ToArray();
        var v = Enumerable.Range(0, n).Select(i => 1e-5f * (i % 3 + 1)).ToArray();
        var offset = Enumerable.Range(0, Vector128<float>.Count).Select(i => 0.001f * i).ToArray();
        const double lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decay = 0.05;
        const int step = 3;
        var expected = new double[n];
        for (int i = 0; i < n; i++)
        {
            double g = gradient[i] + offset[i % offset.Length] + decay * weights[i];
            double m1 = beta1 * m[i] + (1 - beta1) * g;
            double v1 = beta2 * v[i] + (1 - beta2) * g * g;
            double mHat = m1 / (1 - Math.Pow(beta1, step));
            double vHat = v1 / (1 - Math.Pow(beta2, step));
            expected[i] = weights[i] - lr * mHat / (Math.Sqrt(vHat) + eps);
        }

        var coefficients = AdamCoefficients.For(lr, beta1, beta2, eps, decay, step);
        Optimizers.Adam<Vector128Ops, Vector128<float>>(coefficients, gradient, offset, 3, Vector128<float>.Count, weights, m, v);

        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], weights[i], 1e-6 * Math.Abs(expected[i]) + 1e-9);
        }
    }

    [Fact]
    public void Sgd_step_subtracts_learning_rate_times_gradient_plus_decay()
    {
        int width = Vector128<float>.Count;
        float[] weights = [1f, -2f, 0.5f, 0f];
        float[] gradient = [0.1f, 0.2f, -0.3f, 0.4f];
        float[] offset = [0f, 0f, 0f, 0f];
        Assert.Equal(4, width);

        Optimizers.Sgd<Vector128Ops, Vector128<float>>(0.5f, 0.1f, gradient, offset, 1, width, weights);

        Assert.Equal([1f - 0.5f * (0.1f + 0.1f), -2f - 0.5f * (0.2f - 0.2f), 0.5f - 0.5f * (-0.3f + 0.05f), -0.2f], weights, (a, b) => Math.Abs(a - b) < 1e-6f);
    }
}
