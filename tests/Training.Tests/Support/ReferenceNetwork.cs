namespace OrleansPigmm.Training.Tests.Support;

/// <summary>
/// A plain double-precision MLP (ReLU, no biases, softmax cross-entropy averaged over the batch)
/// written the obvious way, as the yardstick for the trainer's float kernels.
/// </summary>
internal static class ReferenceNetwork
{
    /// <summary>Mean loss over the inputs; weights[l] is [out][in].</summary>
    public static double Loss(IReadOnlyList<LayerShape> layers, double[][] weights, double[][] inputs, byte[] labels)
    {
        double total = 0;
        for (int b = 0; b < inputs.Length; b++)
        {
            var activation = inputs[b];
            for (int l = 0; l < layers.Count; l++)
            {
                var (fanIn, fanOut) = layers[l];
                var next = new double[fanOut];
                for (int o = 0; o < fanOut; o++)
                {
                    double sum = 0;
                    for (int i = 0; i < fanIn; i++)
                    {
                        sum += weights[l][o * fanIn + i] * activation[i];
                    }
                    next[o] = l < layers.Count - 1 ? Math.Max(sum, 0) : sum;
                }
                activation = next;
            }
            double max = activation.Max();
            double logSum = Math.Log(activation.Sum(z => Math.Exp(z - max))) + max;
            total += logSum - activation[labels[b]];
        }
        return total / inputs.Length;
    }

    /// <summary>The normalised dense input of an image: (p/255 - 0.5)/0.5 per pixel.</summary>
    public static double[] Input(ReadOnlySpan<byte> pixels)
    {
        var x = new double[pixels.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ((float)pixels[i] / 255f - 0.5f) / 0.5f;
        }
        return x;
    }
}
