using Threshold.Cggmp.Signing;
using Threshold.Curves;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// The public part of a presignature, the same at every signer: R = k⁻¹·G, and for every signer j the
/// points R̄_j = k_j·R and S_j = χ_j·R. With them anyone can check a partial signature σ_j on its own:
/// σ_j·R = m·R̄_j + r·S_j.
/// </summary>
/// <param name="Curve">The curve.</param>
/// <param name="PublicKey">The group public key X (Σ_j S_j = X).</param>
/// <param name="R">R = k⁻¹·G.</param>
/// <param name="RBar">R̄_j = k_j·R for each signer.</param>
/// <param name="S">S_j = χ_j·R for each signer.</param>
public sealed record PresignatureCommitments(Curve Curve, Point PublicKey, Point R, IReadOnlyDictionary<int, Point> RBar, IReadOnlyDictionary<int, Point> S)
{
    /// <summary>The signers, ascending.</summary>
    public IReadOnlyList<int> Signers => [.. RBar.Keys.Order()];
}

/// <summary>
/// One signer's presignature (R, k_i, χ_i): spent by exactly one <see cref="Sign"/>, which wipes the
/// secrets before the partial signature is returned. A second use is refused.
/// </summary>
public sealed class Presignature : IDisposable
{
    private readonly SecretScalar k;
    private readonly SecretScalar chi;
    private bool spent;

    internal Presignature(int index, byte[] id, PresignatureCommitments commitments, SecretScalar k, SecretScalar chi)
    {
        Index = index;
        Id = id;
        Commitments = commitments;
        this.k = k;
        this.chi = chi;
    }

    /// <summary>This signer's index.</summary>
    public int Index { get; }

    /// <summary>A public identifier (the presigning session id).</summary>
    public byte[] Id { get; }

    /// <summary>The public part, shared by all signers.</summary>
    public PresignatureCommitments Commitments { get; }

    /// <summary>Whether this presignature has been used (or disposed).</summary>
    public bool IsSpent => spent;

    /// <summary>
    /// σ_i = k_i·m + r·χ_i mod q for the 32-byte message digest. Consumes the presignature: the secrets
    /// are wiped before the partial signature is returned, and a second call throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">The presignature was already used.</exception>
    public PartialSignature Sign(ReadOnlySpan<byte> digest)
    {
        if (spent)
        {
            throw new InvalidOperationException("this presignature has already been used; a presignature signs exactly once");
        }

        spent = true;
        try
        {
            var curve = Commitments.Curve;
            var m = Ecdsa.DigestToScalar(curve, digest);
            var r = Scalar.FromValue(curve, Commitments.R.X);
            // σ_i = k_i·m + r·χ_i in constant time; σ_i itself is published.
            using var km = k.Multiply(m);
            using var rChi = chi.Multiply(r);
            using var sigma = km.Add(rChi);
            return new PartialSignature(Index, sigma.Reveal());
        }
        finally
        {
            k.Dispose();
            chi.Dispose();
        }
    }

    /// <summary>k_i and χ_i, for sealing into storage (an unused presignature only).</summary>
    internal (Scalar K, Scalar Chi) Secrets() => spent
        ? throw new InvalidOperationException("this presignature has already been used")
        : (k.Value, chi.Value);

    /// <summary>Wipes the secrets; the presignature can no longer sign.</summary>
    public void Dispose()
    {
        spent = true;
        k.Dispose();
        chi.Dispose();
    }

    /// <summary>Shows only public facts.</summary>
    public override string ToString() => $"Presignature(party {Index}, R = {Commitments.R}, {(spent ? "spent" : "unused")})";
}
