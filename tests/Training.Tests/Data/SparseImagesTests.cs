using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Tests.Data;

public class SparseImagesTests
{
    [Fact]
    public void Baseline_plus_sparse_value_reproduces_the_normalised_pixel_bit_for_bit()
    {
        var pixels = Enumerable.Range(0, 256).Select(p => (byte)p).ToArray();
        var images = new SparseImages(new LabelledImages(pixels, [0], 256, 2, "all levels"), new PixelNormalization(0.5f, 0.5f));

        Assert.Equal(-1f, images.Baseline);
        Assert.Equal(255, images.Offsets[1]);
        for (int k = 0; k < 255; k++)
        {
            uint entry = images.Entries[k];
            int pixel = (int)(entry & 0xFFFF);
            Assert.Equal(pixel, (int)(entry >> 16));
            float dense = ((float)pixel / 255f - 0.5f) / 0.5f;
            Assert.Equal(BitConverter.SingleToInt32Bits(dense), BitConverter.SingleToInt32Bits(images.Baseline + images.Levels[pixel]));
        }
    }

    [Fact]
    public void Mnist_has_about_a_fifth_nonzero_pixels()
    {
        var mnist = Support.TestData.Mnist;
        Assert.Equal((60000, 10000, 784, 10), (mnist.TrainCount, mnist.TestCount, mnist.InputWidth, mnist.Classes));
        Assert.InRange(mnist.Density, 0.18, 0.20);
    }
}
