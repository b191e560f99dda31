namespace OrleansPigmm.Mathematics;

/// <summary>
/// The four isotypic blocks of R^{n x n} under S_n (pigmm-math.md section 3): V0 (2 copies),
/// VH (3 copies), V2 and V3 (1 copy each). Each block carries one covariance parameter block of
/// a PIGMM: L0 (f3..f5), LH (f6..f11), f12, f13.
/// </summary>
public enum PigmmBlock
{
    /// <summary>The trivial representation, 2 copies; covariance L0 = [[f3, f4], [f4, f5]].</summary>
    V0,

    /// <summary>The standard representation (dim n-1), 3 copies; covariance LH (f6..f11).</summary>
    VH,

    /// <summary>The irreducible [n-2, 2] (dim n(n-3)/2), 1 copy; variance f12.</summary>
    V2,

    /// <summary>The irreducible [n-2, 1, 1] (dim (n-1)(n-2)/2), 1 copy; variance f13.</summary>
    V3,
}
