using Threshold.Cggmp.Presigning;
using Threshold.Curves;

namespace Threshold.Cggmp.Signing;

/// <summary>Why combining partial signatures failed.</summary>
/// <param name="MissingSigners">Signers of the presignature whose partial signature is absent.</param>
/// <param name="Culprits">Signers whose σ_j fails σ_j·R = m·R̄_j + r·S_j: they signed wrongly.</param>
public sealed record SigningFailure(IReadOnlyList<int> MissingSigners, IReadOnlyList<int> Culprits);

/// <summary>
/// Combines partial signatures into an ECDSA signature (the online round of CGGMP21 signing). Each σ_j
/// is checked against the presignature's public part before it is used, so a wrong one names its
/// signer; the result is normalised to low s and verified against the public key.
/// </summary>
public static class SignatureCombiner
{
    /// <summary>Checks one partial signature: σ_j·R = m·R̄_j + r·S_j.</summary>
    public static bool IsValid(PresignatureCommitments presignature, ReadOnlySpan<byte> digest, PartialSignature partial)
    {
        ArgumentNullException.ThrowIfNull(presignature);
        ArgumentNullException.ThrowIfNull(partial);
        if (!presignature.RBar.TryGetValue(partial.Party, out var rBar) || partial.Sigma.Curve != presignature.Curve)
        {
            return false;
        }

        var curve = presignature.Curve;
        var m = Ecdsa.DigestToScalar(curve, digest);
        var r = Scalar.FromValue(curve, presignature.R.X);
        return (partial.Sigma * presignature.R).Equals((m * rBar) + (r * presignature.S[partial.Party]));
    }

    /// <summary>
    /// The signature, or the signers that are missing or cheated. Blame is collected for every signer
    /// before deciding.
    /// </summary>
    public static EcdsaSignature Combine(PresignatureCommitments presignature, ReadOnlySpan<byte> digest, IReadOnlyCollection<PartialSignature> partials) =>
        TryCombine(presignature, digest, partials, out var signature, out var failure)
            ? signature!
            : throw new SigningException(failure!);

    /// <summary>As <see cref="Combine"/>, without throwing.</summary>
    public static bool TryCombine(
        PresignatureCommitments presignature,
        ReadOnlySpan<byte> digest,
        IReadOnlyCollection<PartialSignature> partials,
        out EcdsaSignature? signature,
        out SigningFailure? failure)
    {
        ArgumentNullException.ThrowIfNull(presignature);
        ArgumentNullException.ThrowIfNull(partials);
        var byParty = partials.GroupBy(p => p.Party).ToDictionary(g => g.Key, g => g.First());
        var missing = presignature.Signers.Where(j => !byParty.ContainsKey(j)).ToList();
        var culprits = new List<int>();
        foreach (var j in presignature.Signers.Where(byParty.ContainsKey))
        {
            if (!IsValid(presignature, digest, byParty[j]))
            {
                culprits.Add(j);
            }
        }

        if (missing.Count > 0 || culprits.Count > 0)
        {
            (signature, failure) = (null, new SigningFailure(missing, culprits));
            return false;
        }

        var curve = presignature.Curve;
        var r = Scalar.FromValue(curve, presignature.R.X);
        var s = presignature.Signers.Select(j => byParty[j].Sigma).Aggregate((a, b) => a + b);
        var recovery = (presignature.R.IsYOdd ? 1 : 0) | (presignature.R.X >= curve.Order ? 2 : 0);
        if (s.IsHigh)
        {
            s = -s;
            recovery ^= 1; // (r, −s) verifies with −R, whose y has the other parity
        }

        if (!Ecdsa.Verify(presignature.PublicKey, digest, r, s))
        {
            // Every σ_j checked out, so the presignature's public part itself is inconsistent.
            throw new InvalidOperationException("combined signature does not verify although every partial signature did");
        }

        (signature, failure) = (new EcdsaSignature(r, s, recovery), null);
        return true;
    }
}

/// <summary>Combining failed: partial signatures were missing or wrong.</summary>
public sealed class SigningException(SigningFailure failure)
    : Exception($"signing failed: missing [{string.Join(", ", failure.MissingSigners)}], wrong partial signatures from [{string.Join(", ", failure.Culprits)}]")
{
    /// <summary>Who was missing and who cheated.</summary>
    public SigningFailure Failure { get; } = failure;
}
