using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Cpu;

public class SnapshotLayoutTests
{
    [Fact]
    public void Weights_are_read_and_written_out_by_in_as_pytorch_stores_them()
    {
        var dataset = TestData.Synthetic(train: 20, test: 5, pixels: 12, classes: 3);
        using var trainer = Trainers.Create(new TrainingSpec { Dataset = "synthetic", HiddenWidths = [5, 7] }, dataset, [0]);
        var checkpoint = ReplicaCheckpoint.Decode(trainer.ExportState(0));
        Assert.Equal([new LayerShape(12, 5), new LayerShape(5, 7), new LayerShape(7, 3)], checkpoint.Layers);
        var layer1 = checkpoint.Weights[1];
        for (int o = 0; o < 7; o++)
        {
            for (int i = 0; i < 5; i++)
            {
                layer1[o * 5 + i] = 100 * o + i;
            }
        }
        trainer.ImportState(0, checkpoint.Encode());

        var read = new float[35];
        trainer.CopyWeights(0, 1, read);

        Assert.Equal(layer1, read);
        Assert.Equal(601f, read[6 * 5 + 1]);
        Assert.Throws<ArgumentException>(() => trainer.CopyWeights(0, 1, new float[36]));
    }
}
