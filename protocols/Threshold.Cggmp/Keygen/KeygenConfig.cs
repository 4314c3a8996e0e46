using Threshold.Curves;
using Threshold.Rounds.Signing;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>The agreed parameters of one key generation.</summary>
/// <param name="Curve">secp256k1 or P-256.</param>
/// <param name="Threshold">t: how many parties must sign (1 ≤ t ≤ n).</param>
/// <param name="Parties">The indices of all n parties (positive, distinct; they are Shamir x-coordinates).</param>
/// <param name="SessionId">The execution id, unique per run, bound into every message and proof.</param>
/// <param name="RefreshedKey">
/// For a key refresh, the public key whose shares are being renewed (every dealt secret is zero); null
/// for a key generation.
/// </param>
public sealed record KeygenConfig(Curve Curve, int Threshold, IReadOnlyList<int> Parties, byte[] SessionId, Point? RefreshedKey = null)
{
    /// <summary>For a key refresh, every party's public share X_j before the refresh (the new X_j adds the dealt shares of zero).</summary>
    public IReadOnlyDictionary<int, Point>? RefreshedShares { get; init; }

    /// <summary>Whether this run refreshes an existing key rather than making a new one.</summary>
    public bool IsRefresh => RefreshedKey is not null;

    /// <summary>Checks the parameters.</summary>
    /// <exception cref="ArgumentException">t out of range, or indices not positive and distinct.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Curve);
        if (Parties.Count < 1 || Parties.Distinct().Count() != Parties.Count || Parties.Any(p => p < 1))
        {
            throw new ArgumentException("party indices must be positive and distinct");
        }

        if (Threshold < 1 || Threshold > Parties.Count)
        {
            throw new ArgumentException($"threshold {Threshold} must be between 1 and {Parties.Count}");
        }

        if (SessionId is null || SessionId.Length is 0 or > 64)
        {
            throw new ArgumentException("session id must be 1 to 64 bytes");
        }

        if (IsRefresh && (RefreshedShares is null || Parties.Any(p => !RefreshedShares.ContainsKey(p))))
        {
            throw new ArgumentException("a refresh needs every party's public share before the refresh");
        }
    }
}

/// <summary>A party's identity for running protocols: its signing key and everyone's public keys.</summary>
/// <param name="Signer">This party's identity key (signs every message it sends).</param>
/// <param name="Directory">All parties' public identity keys.</param>
public sealed record PartyIdentity(IMessageSigner Signer, IPartyDirectory Directory)
{
    /// <summary>This party's index.</summary>
    public int Index => Signer.Party;
}
