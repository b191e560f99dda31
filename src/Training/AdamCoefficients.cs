namespace OrleansPigmm.Training;

/// <summary>The scalars of one Adam step, in single precision as PyTorch applies them to float tensors.</summary>
internal readonly record struct AdamCoefficients(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float StepSize, float BiasCorrection2Sqrt, float Epsilon, float WeightDecay)
{
    /// <summary>The coefficients of step <paramref name="step"/> (1 for the first), with PyTorch's
    /// bias corrections 1 - β^step computed in double precision.</summary>
    public static AdamCoefficients For(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, long step)
    {
        double correction1 = 1 - Math.Pow(beta1, step);
        double correction2 = 1 - Math.Pow(beta2, step);
        return new((float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)(learningRate / correction1), (float)Math.Sqrt(correction2), (float)epsilon, (float)weightDecay);
    }
}
