using System.Text.Json.Serialization;

namespace OrleansPigmm.Formats.Fits;

/// <summary>
/// The PIGMM fit of one ensemble of n x n matrices, as `pigmm fit` writes it and as each entry of
/// fits.json carries it (there with the layer, the epoch and the Wasserstein distances). JSON
/// names are snake_case; numbers are written in shortest round-trip form; absent optional
/// members are omitted.
/// </summary>
/// <param name="N">Matrix size n.</param>
/// <param name="Samples">Number of matrices the fit was made from.</param>
/// <param name="Params">f1..f13 in the order of pigmm-math.md section 4.</param>
/// <param name="Invariants">One entry per invariant of the catalogue, I1..I52 first.</param>
/// <param name="Catalogue">Key of the invariant catalogue, e.g. "paper-d4" or "all-d4".</param>
/// <param name="Layer">1-based index of the analysed layer (fits.json only).</param>
/// <param name="Epoch">0 = initialisation, then completed epochs (fits.json only).</param>
/// <param name="W2">2-Wasserstein distances to the references (fits.json only).</param>
/// <param name="W2Squared">Their squares; the paper plots W2^2 to the simple Gaussian (fits.json only).</param>
/// <param name="Diverged">Replicas excluded from this fit because their training diverged (fits.json only).</param>
public sealed record FitDocument(
    int N,
    long Samples,
    IReadOnlyList<double> Params,
    IReadOnlyList<InvariantFit> Invariants,
    string Catalogue,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Layer = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Epoch = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WassersteinDistances? W2 = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] WassersteinDistances? W2Squared = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Diverged = null);

/// <summary>One invariant's ensemble statistics and the fitted model's prediction.</summary>
/// <param name="Id">"I1".."I52" for the paper's invariants, "G{degree}.{ordinal}" for other graphs.</param>
/// <param name="Spec">The graph, e.g. "ij,jk" (pigmm-math.md section 5.1).</param>
/// <param name="Degree">Number of factors of W (1 linear, 2 quadratic, 3 cubic, 4 quartic).</param>
/// <param name="Nodes">Number of distinct letters (graph vertices); the paper's "low-node"
/// invariants have 1 or 2, its "high-node" ones 2 Degree - 1 or 2 Degree.</param>
/// <param name="Mean">Ensemble mean.</param>
/// <param name="Std">Ensemble population standard deviation (1/N).</param>
/// <param name="Predicted">Exact expectation under the fitted PIGMM.</param>
/// <param name="Deviation">|Predicted - Mean| / Std; null when Std is 0 (undefined).</param>
/// <param name="IidDeviation">For I1..I13 when the initialisation law is known:
/// |Mean - E_iid| / sqrt(Var_iid / N) (pigmm-math.md section 10.3); otherwise null.</param>
public sealed record InvariantFit(
    string Id,
    string Spec,
    int Degree,
    int Nodes,
    double Mean,
    double Std,
    double Predicted,
    double? Deviation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? IidDeviation = null);

/// <summary>The 2-Wasserstein distance, or its square, from one fit to three references;
/// null where the reference does not exist (yet).</summary>
/// <param name="SimpleGaussian">To the simple-Gaussian reference of the initialisation law (section 9).</param>
/// <param name="Epoch0">To the fit of the same layer at epoch 0.</param>
/// <param name="Previous">To the fit of the same layer at the previous epoch.</param>
public sealed record WassersteinDistances(double? SimpleGaussian, double? Epoch0, double? Previous);
