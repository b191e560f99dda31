using OrleansPigmm.Training.Data;

namespace OrleansPigmm.Training.Tests.Support;

/// <summary>Datasets for tests: MNIST found like the CLI finds it, and small synthetic ones.</summary>
internal static class TestData
{
    private static readonly Lazy<Dataset> MnistData = new(() =>
    {
        try
        {
            return DatasetCatalog.Load("mnist");
        }
        catch (FileNotFoundException missing)
        {
            throw new InvalidOperationException($"These tests need MNIST. {missing.Message}", missing);
        }
    });

    /// <summary>MNIST from $PIGMM_DATA_DIR or the default cache; fails saying how to fetch it.</summary>
    public static Dataset Mnist => MnistData.Value;

    /// <summary>Random images: each pixel blank with probability 0.8, else a random level; labels
    /// depend on the images so that there is something to learn.</summary>
    public static Dataset Synthetic(int train = 600, int test = 200, int pixels = 784, int classes = 10, int seed = 1)
    {
        var random = new Random(seed);
        LabelledImages Make(int count)
        {
            var images = new byte[count * pixels];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int sum = 0;
                for (int p = 0; p < pixels; p++)
                {
                    byte value = random.NextDouble() < 0.8 ? (byte)0 : (byte)random.Next(1, 256);
                    images[i * pixels + p] = value;
                    sum += p < pixels / 2 ? value : 0;
                }
                labels[i] = (byte)(sum % classes);
            }
            return new LabelledImages(images, labels, pixels, classes, "synthetic");
        }
        return new Dataset("synthetic", Make(train), Make(test), classes, new PixelNormalization(0.5f, 0.5f));
    }
}
