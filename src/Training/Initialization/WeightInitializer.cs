using System.Numerics.Tensors;
using OrleansPigmm.Training.Randomness;

namespace OrleansPigmm.Training.Initialization;

/// <summary>Draws a layer's initial weights, [out][in] layout, from a replica's stream for that layer.</summary>
internal static class WeightInitializer
{
    /// <summary>Fills <paramref name="destination"/> (layer.Outputs · layer.Inputs floats, [out][in]) by
    /// <paramref name="scheme"/>; values are drawn in double precision and rounded once.</summary>
    public static void Fill(InitScheme scheme, LayerShape layer, ref ReplicaRandom random, Span<float> destination)
    {
        if (destination.Length != layer.Weights)
        {
            throw new ArgumentException($"A {layer.Outputs}x{layer.Inputs} layer needs {layer.Weights} floats, got {destination.Length}.", nameof(destination));
        }
        double fanIn = layer.Inputs;
        switch (scheme)
        {
            case InitScheme.Gaussian:
                FillGaussian(1 / Math.Sqrt(fanIn), ref random, destination);
                break;
            case InitScheme.KaimingNormal:
                FillGaussian(Math.Sqrt(2 / fanIn), ref random, destination);
                break;
            case InitScheme.Uniform:
                FillUniform(1 / Math.Sqrt(fanIn), ref random, destination);
                break;
            case InitScheme.XavierUniform:
                FillUniform(Math.Sqrt(6 / (fanIn + layer.Outputs)), ref random, destination);
                break;
            case InitScheme.Orthogonal:
                FillOrthogonal(layer, ref random, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown init scheme.");
        }
    }

    private static void FillGaussian(double std, ref ReplicaRandom random, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(std * random.NextGaussian());
        }
    }

    private static void FillUniform(double bound, ref ReplicaRandom random, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(bound * (2 * random.NextDouble() - 1));
        }
    }

    /// <summary>
    /// torch.nn.init.orthogonal_ with gain 1: a tall Gaussian matrix (max(out, in) x min(out, in)) is
    /// orthonormalised column by column (Gram-Schmidt, applied twice for accuracy), which is the Q
    /// of its QR decomposition with R's diagonal positive; the result is Q, or Qᵀ for a wide layer.
    /// </summary>
    private static void FillOrthogonal(LayerShape layer, ref ReplicaRandom random, Span<float> destination)
    {
        int tall = Math.Max(layer.Outputs, layer.Inputs);
        int narrow = Math.Min(layer.Outputs, layer.Inputs);
        var q = new double[(long)tall * narrow];
        for (int i = 0; i < q.Length; i++)
        {
            q[i] = random.NextGaussian();
        }
        for (int j = 0; j < narrow; j++)
        {
            var column = q.AsSpan(j * tall, tall);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    var previous = q.AsSpan(k * tall, tall);
                    TensorPrimitives.MultiplyAdd(previous, -TensorPrimitives.Dot(previous, column), column, column);
                }
            }
            TensorPrimitives.Divide(column, TensorPrimitives.Norm(column), column);
        }
        for (int o = 0; o < layer.Outputs; o++)
        {
            for (int i = 0; i < layer.Inputs; i++)
            {
                // Column j of Q holds output unit j of a wide layer, input unit j of a tall one.
                double value = layer.Outputs >= layer.Inputs ? q[(long)i * tall + o] : q[(long)o * tall + i];
                destination[o * layer.Inputs + i] = (float)value;
            }
        }
    }
}
