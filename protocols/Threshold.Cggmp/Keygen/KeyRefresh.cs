using System.Security.Cryptography;
using Threshold.Cggmp.Shares;
using Threshold.Rounds;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>
/// Proactive refresh of a t-of-n key (CGGMP21 §3's refresh, in threshold form): every party deals a
/// Feldman-verified sharing of zero, and each new share is the old one plus the shares of zero it
/// receives. The public key and threshold stay; every share changes, so shares from before the refresh
/// no longer combine with shares after it. Run a fresh aux-info alongside, so the Paillier keys change
/// too. Same rounds, proofs and identifiable abort as key generation.
/// </summary>
public static class KeyRefresh
{
    /// <summary>Creates this party's refresh of <paramref name="share"/>, in session <paramref name="sessionId"/>.</summary>
    public static Party<KeyShare> Create(KeyShare share, byte[] sessionId, PartyIdentity identity, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(share);
        var config = new KeygenConfig(share.Curve, share.Threshold, share.Parties, sessionId, share.PublicKey) { RefreshedShares = share.PublicShares };
        return Keygen.Create(config, identity, rng, share);
    }
}
