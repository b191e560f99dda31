using OrleansPigmm.Training.Cpu;
using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Cpu;

public class BackpropagationTests
{
    [Theory]
    [InlineData("cpu", VectorWidth.Auto)]
    [InlineData("cpu", VectorWidth.Bits128)]
    [InlineData("gpu", VectorWidth.Auto)]
    public void Gradients_match_central_finite_differences_of_a_double_precision_reference(string device, VectorWidth width)
    {
        // Odd widths so that every layer has padding lanes and no matrix is square. The GPU
        // backend runs its kernels on ILGPU's CPU accelerator.
        var dataset = TestData.Synthetic(train: 40, test: 10, pixels: 37, classes: 3);
        var spec = new TrainingSpec { Dataset = "synthetic", HiddenWidths = [7, 5], Init = InitScheme.KaimingNormal, BatchSize = 20 };
        using IEnsembleTrainer trainer = device == "gpu" ? Trainers.CreateEmulated(spec, dataset, [4]) : Trainers.Create(spec, dataset, [4], width: width);
        int[] rows = Enumerable.Range(3, 20).ToArray();
        var layers = trainer.Shape.Layers;
        var gradients = layers.Select(l => new float[l.Weights]).ToArray();

        float loss = Trainers.LossAndGradients(trainer, 0, rows, gradients);

        var weights = Trainers.Weights(trainer, 0).Select(w => w.Select(v => (double)v).ToArray()).ToArray();
        var inputs = rows.Select(r => Trainers.DenseInput(dataset.Train, r)).ToArray();
        var labels = rows.Select(r => dataset.Train.Labels[r]).ToArray();
        double referenceLoss = ReferenceNetwork.Loss(layers, weights, inputs, labels);
        Assert.Equal(referenceLoss, loss, 1e-5 * Math.Abs(referenceLoss));
        const double step = 1e-6;
        for (int l = 0; l < layers.Count; l++)
        {
            for (int i = 0; i < weights[l].Length; i++)
            {
                double saved = weights[l][i];
                weights[l][i] = saved + step;
                double up = ReferenceNetwork.Loss(layers, weights, inputs, labels);
                weights[l][i] = saved - step;
                double down = ReferenceNetwork.Loss(layers, weights, inputs, labels);
                weights[l][i] = saved;
                double numeric = (up - down) / (2 * step);
                double tolerance = 2e-5 + 1e-3 * Math.Abs(numeric);
                Assert.True(Math.Abs(gradients[l][i] - numeric) <= tolerance,
                    $"layer {l} weight {i} (out {i / layers[l].Inputs}, in {i % layers[l].Inputs}): backward {gradients[l][i]:G6}, finite difference {numeric:G6}");
            }
        }
    }
}
