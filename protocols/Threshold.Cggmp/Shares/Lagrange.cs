using Threshold.Curves;

namespace Threshold.Cggmp.Shares;

/// <summary>Lagrange interpolation at zero over a set of Shamir x-coordinates (the party indices).</summary>
public static class Lagrange
{
    /// <summary>λ_i = Π_{j ∈ S, j ≠ i} j / (j − i) mod q, so that x = Σ_{i ∈ S} λ_i · f(i).</summary>
    public static Scalar Coefficient(Curve curve, int index, IReadOnlyCollection<int> signers)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(signers);
        if (!signers.Contains(index))
        {
            throw new ArgumentException($"party {index} is not among the signers", nameof(index));
        }

        var numerator = Scalar.One(curve);
        var denominator = Scalar.One(curve);
        foreach (var j in signers.Where(j => j != index))
        {
            numerator *= Scalar.FromValue(curve, j);
            denominator *= Scalar.FromValue(curve, j - index);
        }

        return numerator * denominator.Invert();
    }
}
