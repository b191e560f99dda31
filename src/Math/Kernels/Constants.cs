namespace OrleansPigmm.Mathematics.Kernels;

/// <summary>A small integer known to the JIT, to specialise kernels on tile shapes.</summary>
internal interface IConstant
{
    /// <summary>The value.</summary>
    static abstract int Value { get; }
}

/// <summary>The constant 1.</summary>
internal readonly struct One : IConstant
{
    public static int Value => 1;
}

/// <summary>The constant 3.</summary>
internal readonly struct Three : IConstant
{
    public static int Value => 3;
}

/// <summary>The constant 4.</summary>
internal readonly struct Four : IConstant
{
    public static int Value => 4;
}
