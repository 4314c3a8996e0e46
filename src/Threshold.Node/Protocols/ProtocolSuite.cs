using System.Security.Cryptography;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Primes;
using Threshold.Rounds;

namespace Threshold.Node.Protocols;

/// <summary>Creates this node's party in a key generation run.</summary>
/// <param name="config">The curve, threshold, parties and session id the aggregator started.</param>
/// <param name="identity">This node's signing key and the cluster's directory.</param>
/// <param name="rng">The node's randomness.</param>
public delegate Party<KeyShare> KeygenPartyFactory(KeygenConfig config, PartyIdentity identity, RandomNumberGenerator rng);

/// <summary>Creates this node's party in an aux-info run.</summary>
/// <param name="config">The level, parties, session id and key context.</param>
/// <param name="identity">This node's signing key and the cluster's directory.</param>
/// <param name="rng">The node's randomness.</param>
/// <param name="primes">The node's safe primes.</param>
/// <param name="cancellationToken">Stops a prime generation the pool needs first.</param>
public delegate Party<AuxInfo> AuxInfoPartyFactory(AuxInfoConfig config, PartyIdentity identity, RandomNumberGenerator rng, PrimePool primes, CancellationToken cancellationToken);

/// <summary>Creates this node's party in a presigning run.</summary>
/// <param name="config">The signer set and session id.</param>
/// <param name="share">This node's key share (wiped by the caller once the party is made).</param>
/// <param name="aux">This node's aux info for the key.</param>
/// <param name="identity">This node's signing key and the cluster's directory.</param>
/// <param name="rng">The node's randomness.</param>
public delegate Party<Presignature> PresignPartyFactory(PresignConfig config, KeyShare share, AuxInfo aux, PartyIdentity identity, RandomNumberGenerator rng);

/// <summary>
/// The protocol implementations a node runs: how it creates its party for each protocol the aggregator
/// starts. <see cref="Cggmp21"/> is the default and the only suite a production node uses; another
/// suite (an instrumented or deviating party, in research and tests) changes nothing else in the node.
/// </summary>
public sealed record ProtocolSuite
{
    /// <summary>CGGMP21 key generation, aux-info and presigning (protocols/Threshold.Cggmp).</summary>
    public static ProtocolSuite Cggmp21 { get; } = new();

    /// <summary>How the node creates its key generation party.</summary>
    public KeygenPartyFactory Keygen { get; init; } = Cggmp.KeyGeneration.Keygen.Create;

    /// <summary>How the node creates its aux-info party.</summary>
    public AuxInfoPartyFactory AuxInfo { get; init; } = (config, identity, rng, primes, cancellationToken) =>
        AuxInfoProtocol.Create(config, identity, rng, primes, progress: null, cancellationToken);

    /// <summary>How the node creates its presigning party.</summary>
    public PresignPartyFactory Presign { get; init; } = Cggmp.Presigning.Presign.Create;
}
