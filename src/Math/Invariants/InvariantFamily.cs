namespace OrleansPigmm.Mathematics;

/// <summary>The family of an invariant: its degree k, the number of factors of W.</summary>
public enum InvariantFamily
{
    /// <summary>Degree 1 (I1, I2).</summary>
    Linear = 1,

    /// <summary>Degree 2 (I3..I13).</summary>
    Quadratic = 2,

    /// <summary>Degree 3 (I14..I28 among the paper's).</summary>
    Cubic = 3,

    /// <summary>Degree 4 (I29..I52 among the paper's).</summary>
    Quartic = 4,
}
