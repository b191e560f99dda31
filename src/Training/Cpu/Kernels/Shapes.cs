namespace OrleansPigmm.Training.Cpu.Kernels;

/// <summary>A register tile: rows of the output times vectors of columns. The JIT folds these
/// constants, so one kernel body serves every tile shape.</summary>
internal interface ITileShape
{
    static abstract int Rows { get; }

    static abstract int Vectors { get; }
}

internal readonly struct FourByFour : ITileShape
{
    public static int Rows => 4;

    public static int Vectors => 4;
}

internal readonly struct FourByOne : ITileShape
{
    public static int Rows => 4;

    public static int Vectors => 1;
}

internal readonly struct OneByFour : ITileShape
{
    public static int Rows => 1;

    public static int Vectors => 4;
}

internal readonly struct OneByOne : ITileShape
{
    public static int Rows => 1;

    public static int Vectors => 1;
}

internal readonly struct OneByTwo : ITileShape
{
    public static int Rows => 1;

    public static int Vectors => 2;
}
