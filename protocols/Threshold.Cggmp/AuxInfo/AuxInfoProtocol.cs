// Aux-info (CGGMP21 Fig. 6, "auxiliary info"; rounds as in the provisioning protocol of the LFDT
// cggmp21 specification): every party makes a Paillier key N_i from two safe primes and ring-Pedersen
// parameters (s_i, t_i) over the same modulus, proves them well formed, and proves to each other party
// that N_i is a Paillier–Blum modulus without small factors. Four rounds with the confirmation:
//   1. broadcast V_i = H(sid, n, i, N_i, s_i, t_i, ψ̂_i, ρ_i, u_i), ψ̂_i = Πprm((sid, i), (N_i, s_i, t_i))
//   2. broadcast (N_i, s_i, t_i, ψ̂_i, ρ_i, u_i)
//   3. check every opening and Πprm; ρ = ⊕ ρ_j; broadcast ψ_i = Πmod((sid, ρ, i), N_i) and send
//      φ_i^j = Πfac((sid, ρ, i), R_j, N_i) to each j
//   4. verify every Πmod and the Πfac addressed here; output
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Transcripts;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>The aux-info protocol with identifiable abort.</summary>
public static class AuxInfoProtocol
{
    /// <summary>The protocol name bound into every message.</summary>
    public const string ProtocolName = "threshold.cggmp.aux-info";

    internal const int RandomLength = 32;

    /// <summary>
    /// Creates this party's state machine: takes two safe primes from <paramref name="primes"/>
    /// (generating them first if the pool lacks them, which takes seconds, reporting to
    /// <paramref name="progress"/>), builds the keys and Πprm, and prepares the round-1 commitment.
    /// </summary>
    public static Party<AuxInfo> Create(
        AuxInfoConfig config,
        PartyIdentity identity,
        RandomNumberGenerator rng,
        PrimePool primes,
        IProgress<SafePrimeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(primes);
        if (primes.Count(config.Level.PrimeBits) < 2)
        {
            primes.FillAsync(config.Level.PrimeBits, 2, progress, cancellationToken).GetAwaiter().GetResult();
        }

        return Create(config, identity, rng, primes, corrupt: null, cancellationToken);
    }

    /// <summary>
    /// As above; <paramref name="corrupt"/> lets tests make this party commit to a deviating provision
    /// (a malicious party's behaviour that cannot be produced by rewriting its messages afterwards).
    /// </summary>
    internal static Party<AuxInfo> Create(AuxInfoConfig config, PartyIdentity identity, RandomNumberGenerator rng, PrimePool primes, Func<Provision, Provision>? corrupt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(primes);
        config.Validate();
        config = config with { SessionId = BoundSessionId(config) };
        var self = identity.Index;
        if (!config.Parties.Contains(self))
        {
            throw new ArgumentException($"party {self} is not in the aux-info run", nameof(identity));
        }

        var key = PaillierSecretKey.Generate(config.Level, primes, cancellationToken);
        var ringPedersen = RingPedersenSecret.Generate(key, rng);
        var prm = RingPedersenParametersProof.Prove(
            Context(config, null, self),
            new RingPedersenParametersProof.Statement(ringPedersen.Parameters, config.Level),
            new RingPedersenParametersProof.Witness(ringPedersen),
            rng);
        var rho = new byte[RandomLength];
        var blinding = new byte[RandomLength];
        rng.GetBytes(rho);
        rng.GetBytes(blinding);
        var provision = new Provision(ringPedersen.Parameters, prm, rho, blinding);
        provision = corrupt?.Invoke(provision) ?? provision;

        var state = new AuxInfoState(config, self, key, ringPedersen, provision, rng);
        var session = new PartySession(ProtocolName, config.SessionId, self, config.Parties, identity.Signer, identity.Directory, new AuxInfoJudge(config));
        var first = new Outgoing { Broadcast = new Wire.AuxInfoCommitment { Hash = ByteString.CopyFrom(Commitment(config, self, provision)) }.ToByteArray() };
        return new Party<AuxInfo>(session, new AuxInfoRound1(state), first);
    }

    /// <summary>What anyone needs to judge the abort notices of the run <paramref name="config"/> describes (session id as its coordinator chose it).</summary>
    public static SessionContext Context(AuxInfoConfig config, Threshold.Rounds.Signing.IPartyDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var bound = config with { SessionId = BoundSessionId(config) };
        return new SessionContext(ProtocolName, bound.SessionId, config.Parties, directory, new AuxInfoJudge(bound));
    }

    /// <summary>The session id the messages carry: the chosen one bound to the level, the parties and the caller's context (the key it is for).</summary>
    private static byte[] BoundSessionId(AuxInfoConfig config) => SessionBinding.Bind(ProtocolName, config.SessionId, t =>
    {
        t.Append("level", config.Level.Name).Append("parties", (ulong)config.Parties.Count);
        foreach (var p in config.Parties.Order())
        {
            t.Append("party", (ulong)p);
        }

        t.Append("context", config.Context);
    });

    /// <summary>V_i over the session, the party set, the index and the opened values.</summary>
    internal static byte[] Commitment(AuxInfoConfig config, int party, Provision provision)
    {
        using var t = Transcript.Start("threshold.cggmp.aux-info.commitment")
            .Append("sid", config.SessionId)
            .Append("level", config.Level.Name)
            .Append("n", (ulong)config.Parties.Count);
        foreach (var p in config.Parties.Order())
        {
            t.Append("party", (ulong)p);
        }

        return t.Append("i", (ulong)party)
            .Append("N", provision.Setup.N)
            .Append("s", provision.Setup.S)
            .Append("t", provision.Setup.T)
            .Append("prm", provision.PrmProof.Encode())
            .Append("rho", provision.Rho)
            .Append("u", provision.Blinding)
            .Digest();
    }

    /// <summary>
    /// The proof context: Πprm is bound to (sid, i); Πmod and Πfac to (sid, ρ, i), so they could not
    /// have been prepared before every party's ρ_j was fixed.
    /// </summary>
    internal static ProofContext Context(AuxInfoConfig config, byte[]? rho, int prover)
    {
        using var t = Transcript.Start("threshold.cggmp.aux-info.proof-context").Append("sid", config.SessionId);
        if (rho is not null)
        {
            t.Append("rho", rho);
        }

        return new ProofContext(t.Digest(), prover);
    }
}

/// <summary>What one party opens in round 2: R_i = (N_i, s_i, t_i), ψ̂_i, ρ_i, u_i.</summary>
internal sealed record Provision(RingPedersenParameters Setup, RingPedersenParametersProof.Proof PrmProof, byte[] Rho, byte[] Blinding)
{
    public byte[] Encode() => new Wire.AuxInfoDecommitment
    {
        N = WireCodec.Unsigned(Setup.N),
        S = WireCodec.Unsigned(Setup.S),
        T = WireCodec.Unsigned(Setup.T),
        PrmProof = ByteString.CopyFrom(PrmProof.Encode()),
        Rho = ByteString.CopyFrom(Rho),
        Blinding = ByteString.CopyFrom(Blinding),
    }.ToByteArray();

    /// <summary>
    /// Strict decoding: N of exactly the level's size (odd), s and t units other than 1, Πprm well
    /// formed for that statement, 32-byte randomness.
    /// </summary>
    public static Provision Decode(AuxInfoConfig config, byte[] payload)
    {
        var m = WireCodec.Parse(Wire.AuxInfoDecommitment.Parser, payload, "aux-info decommitment");
        var n = WireCodec.DecodeUnsigned(m.N, BigInteger.One << config.Level.ModulusBits, "aux-info N");
        if (n.GetBitLength() != config.Level.ModulusBits || n.IsEven)
        {
            throw new DecodingException(DecodingError.OutOfRange, "aux-info N");
        }

        var setup = new RingPedersenParameters(n, WireCodec.DecodeUnsigned(m.S, n, "aux-info s"), WireCodec.DecodeUnsigned(m.T, n, "aux-info t"));
        if (m.Rho.Length != AuxInfoProtocol.RandomLength || m.Blinding.Length != AuxInfoProtocol.RandomLength)
        {
            throw new DecodingException(DecodingError.Malformed, "aux-info rho or blinding");
        }

        var prm = RingPedersenParametersProof.Proof.Decode(new RingPedersenParametersProof.Statement(setup, config.Level), m.PrmProof.Span);
        return new Provision(setup, prm, m.Rho.ToByteArray(), m.Blinding.ToByteArray());
    }
}

/// <summary>The state one party carries between aux-info rounds.</summary>
internal sealed record AuxInfoState(
    AuxInfoConfig Config,
    int Self,
    PaillierSecretKey Key,
    RingPedersenSecret RingPedersen,
    Provision Provision,
    RandomNumberGenerator Rng)
{
    /// <summary>Wipes the secrets of an aborted run (idempotent).</summary>
    public void Discard()
    {
        RingPedersen.Dispose();
        Key.Dispose();
    }
}
