namespace OrleansPigmm.Training.Data;

/// <summary>Raw images (one byte per pixel, row-major, image after image) with their class labels.</summary>
public sealed class LabelledImages
{
    /// <summary>Wraps images and labels after checking that they agree.</summary>
    /// <param name="pixels">Count · pixelsPerImage bytes.</param>
    /// <param name="labels">One label per image, each below <paramref name="classes"/>.</param>
    /// <param name="pixelsPerImage">Pixels in one image (784 for MNIST).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="source">Names the data in error messages (e.g. the label file).</param>
    /// <exception cref="InvalidDataException">Sizes disagree or a label is out of range.</exception>
    public LabelledImages(byte[] pixels, byte[] labels, int pixelsPerImage, int classes, string source)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (pixelsPerImage < 1 || pixels.Length != (long)labels.Length * pixelsPerImage)
        {
            throw new InvalidDataException($"{source}: {labels.Length} labels but {pixels.Length} pixels of {pixelsPerImage} per image.");
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
            {
                throw new InvalidDataException($"{source}: label {labels[i]} of item {i} is not below the {classes} classes.");
            }
        }
        Pixels = pixels;
        Labels = labels;
        PixelsPerImage = pixelsPerImage;
    }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Pixels per image.</summary>
    public int PixelsPerImage { get; }

    /// <summary>All pixels, image after image.</summary>
    public byte[] Pixels { get; }

    /// <summary>The class of each image.</summary>
    public byte[] Labels { get; }
}
