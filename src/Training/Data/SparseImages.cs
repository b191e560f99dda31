namespace OrleansPigmm.Training.Data;

/// <summary>
/// Normalised images in compressed-row form, for a first layer that works on nonzeros only. With
/// x = (p/255 - mean)/std in single precision and x0 the value of a blank pixel (p = 0), each input
/// is stored as s = x - x0, nonzero only where p &gt; 0; for mean = std = 0.5, x0 = -1 and s = x + 1
/// exactly, so x = x0 + s reproduces the dense input bit for bit.
/// </summary>
internal sealed class SparseImages
{
    public SparseImages(LabelledImages images, PixelNormalization normalization)
    {
        Span<float> scaled = stackalloc float[256];
        for (int p = 0; p < 256; p++)
        {
            scaled[p] = ((float)p / 255f - normalization.Mean) / normalization.Std;
        }
        Baseline = scaled[0];
        Count = images.Count;
        Width = images.PixelsPerImage;
        if (Width > ushort.MaxValue + 1)
        {
            throw new InvalidDataException($"Images of {Width} pixels are too large (at most 65536).");
        }
        var pixels = images.Pixels;
        int nonzeros = pixels.Length - pixels.AsSpan().Count((byte)0);
        Offsets = GC.AllocateUninitializedArray<int>(Count + 1, pinned: true);
        Entries = GC.AllocateUninitializedArray<uint>(nonzeros, pinned: true);
        Levels = new float[256];
        for (int p = 0; p < 256; p++)
        {
            Levels[p] = scaled[p] - Baseline;
        }
        int k = 0;
        for (int i = 0; i < Count; i++)
        {
            Offsets[i] = k;
            var image = pixels.AsSpan(i * Width, Width);
            for (int j = 0; j < image.Length; j++)
            {
                if (image[j] != 0)
                {
                    Entries[k++] = (uint)j | (uint)image[j] << 16;
                }
            }
        }
        Offsets[Count] = k;
        Labels = images.Labels;
        Rows = Enumerable.Range(0, Count).ToArray();
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Pixels per image.</summary>
    public int Width { get; }

    /// <summary>x0: the normalised value of a blank pixel.</summary>
    public float Baseline { get; }

    public int[] Offsets { get; }

    /// <summary>Nonzeros: column (pixel index) in bits 0-15, pixel value in bits 16-23.</summary>
    public uint[] Entries { get; }

    /// <summary>s = x - x0 for each pixel value 0..255.</summary>
    public float[] Levels { get; }

    public byte[] Labels { get; }

    /// <summary>0, 1, …, Count - 1: the rows in their stored order (for evaluation).</summary>
    public int[] Rows { get; }

    /// <summary>Mean fraction of nonzero pixels.</summary>
    public double Density => Count == 0 ? 0 : (double)Offsets[Count] / ((double)Count * Width);
}
