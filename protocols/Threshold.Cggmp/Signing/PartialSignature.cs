using Threshold.Curves;

namespace Threshold.Cggmp.Signing;

/// <summary>One signer's share σ_i = k_i·m + r·χ_i of the signature's s.</summary>
/// <param name="Party">The signer.</param>
/// <param name="Sigma">σ_i.</param>
public sealed record PartialSignature(int Party, Scalar Sigma);
