// Threshold key generation for CGGMP21: every party deals a Feldman-verifiable sharing of a random
// secret (commit, then reveal), the key is the sum of the dealt secrets, and every party proves
// knowledge of its final share with Πsch committed in round 1 (CGGMP21 §3 key generation; the
// threshold form follows the LFDT cggmp21 specification). Four rounds with the final echo:
//   1. broadcast V_i = H(sid, i, rid_i, F_i, A_i, u_i)
//   2. broadcast (rid_i, F_i, A_i, u_i); send σ_ij = f_i(j) to each j
//   3. broadcast ψ_i = Πsch(x_i) with commitment A_i, bound to sid and rid = ⊕ rid_j
//   4. echo of round 3
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Transcripts;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>Threshold key generation (t-of-n) with identifiable abort.</summary>
public static class Keygen
{
    /// <summary>The protocol name bound into every message.</summary>
    public const string ProtocolName = "threshold.cggmp.keygen";

    /// <summary>Length of rid_i and u_i in bytes (κ = 256 bits).</summary>
    internal const int RandomLength = 32;

    /// <summary>The protocol name of a key refresh.</summary>
    public const string RefreshProtocolName = "threshold.cggmp.refresh";

    /// <summary>Creates this party's state machine and its round-1 message.</summary>
    public static Party<KeyShare> Create(KeygenConfig config, PartyIdentity identity, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.IsRefresh)
        {
            throw new ArgumentException("use KeyRefresh.Create to refresh a key", nameof(config));
        }

        return Create(config, identity, rng, previous: null);
    }

    /// <summary>
    /// Key generation, or (with <paramref name="previous"/>) a refresh: the same rounds with every dealt
    /// polynomial having f_i(0) = 0, so the shares change and the key does not.
    /// </summary>
    internal static Party<KeyShare> Create(KeygenConfig config, PartyIdentity identity, RandomNumberGenerator rng, KeyShare? previous)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(rng);
        config.Validate();
        config = config with { SessionId = BoundSessionId(config) };
        var self = identity.Index;
        if (!config.Parties.Contains(self))
        {
            throw new ArgumentException($"party {self} is not in the key generation", nameof(identity));
        }

        if (config.IsRefresh && (previous is null || previous.Index != self || !previous.PublicKey.Equals(config.RefreshedKey) || previous.Threshold != config.Threshold))
        {
            throw new ArgumentException("the refreshed share must be this party's share of the refreshed key", nameof(previous));
        }

        var rid = new byte[RandomLength];
        var blinding = new byte[RandomLength];
        rng.GetBytes(rid);
        rng.GetBytes(blinding);
        var polynomial = Polynomial.Random(config.Curve, config.Threshold, rng, previous is null ? null : Scalar.Zero(config.Curve));
        var schnorr = SchnorrProof.Commit(config.Curve, rng);
        var dealing = new Dealing(rid, polynomial.Commitments(), schnorr.A, blinding);
        var state = new KeygenState(config, self, polynomial, schnorr, dealing, previous);
        var session = new PartySession(NameOf(config), config.SessionId, self, config.Parties, identity.Signer, identity.Directory, new KeygenJudge(config));
        var first = new Outgoing { Broadcast = new Wire.KeygenCommitment { Hash = ByteString.CopyFrom(Commitment(config, self, dealing)) }.ToByteArray() };

        return new Party<KeyShare>(session, new KeygenRound1(state), first);
    }

    /// <summary>
    /// What anyone needs to judge the abort notices of the run <paramref name="config"/> describes (as
    /// its coordinator chose it: the session id before binding).
    /// </summary>
    public static SessionContext Context(KeygenConfig config, Threshold.Rounds.Signing.IPartyDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var bound = config with { SessionId = BoundSessionId(config) };
        return new SessionContext(NameOf(config), bound.SessionId, config.Parties, directory, new KeygenJudge(bound));
    }

    private static string NameOf(KeygenConfig config) => config.IsRefresh ? RefreshProtocolName : ProtocolName;

    /// <summary>The session id the messages carry: the chosen one bound to curve, t, parties and, for a refresh, the key and its public shares.</summary>
    private static byte[] BoundSessionId(KeygenConfig config) => SessionBinding.Bind(NameOf(config), config.SessionId, t =>
    {
        t.Append("curve", config.Curve.Name).Append("t", (ulong)config.Threshold).Append("parties", (ulong)config.Parties.Count);
        foreach (var p in config.Parties.Order())
        {
            t.Append("party", (ulong)p);
            if (config.RefreshedShares is { } old)
            {
                t.Append("X", old[p]);
            }
        }

        t.Append("refreshed", config.RefreshedKey is { } key ? key.Encode() : []);
    });

    /// <summary>V_i = H(sid, curve, t, parties, i, rid_i, F_i, A_i, u_i).</summary>
    internal static byte[] Commitment(KeygenConfig config, int party, Dealing dealing)
    {
        using var t = Transcript.Start("threshold.cggmp.keygen.commitment")
            .Append("sid", config.SessionId)
            .Append("curve", config.Curve.Name)
            .Append("t", (ulong)config.Threshold)
            .Append("refresh", config.RefreshedKey is { } key ? key.Encode() : [])
            .Append("parties", (ulong)config.Parties.Count);
        foreach (var p in config.Parties.Order())
        {
            t.Append("party", (ulong)p);
        }

        return t.Append("i", (ulong)party)
            .Append("rid", dealing.Rid)
            .Append("F", dealing.Coefficients)
            .Append("A", dealing.SchnorrCommitment)
            .Append("u", dealing.Blinding)
            .Digest();
    }

    /// <summary>The proof context of the final Πsch: the session id and the joint rid, hashed together.</summary>
    internal static ProofContext ProofContext(KeygenConfig config, byte[] rid, int prover)
    {
        using var t = Transcript.Start("threshold.cggmp.keygen.proof-context").Append("sid", config.SessionId).Append("rid", rid);
        return new ProofContext(t.Digest(), prover);
    }
}

/// <summary>What one party deals and later reveals: rid_i, F_i, A_i, u_i.</summary>
internal sealed record Dealing(byte[] Rid, IReadOnlyList<Point> Coefficients, Point SchnorrCommitment, byte[] Blinding)
{
    /// <summary>The wire form; a refresh's constant commitment is the identity and is left out.</summary>
    public Wire.KeygenDecommitment ToWire()
    {
        var m = new Wire.KeygenDecommitment
        {
            Rid = ByteString.CopyFrom(Rid),
            SchnorrCommitment = ByteString.CopyFrom(SchnorrCommitment.Encode()),
            Blinding = ByteString.CopyFrom(Blinding),
        };
        m.Coefficients.AddRange(Coefficients.Where(c => !c.IsIdentity).Select(c => ByteString.CopyFrom(c.Encode())));
        return m;
    }

    /// <summary>Strict decoding: 32-byte randomness, exactly t points on the curve, none the identity.</summary>
    public static Dealing Decode(KeygenConfig config, byte[] payload)
    {
        var m = WireCodec.Parse(Wire.KeygenDecommitment.Parser, payload, "keygen decommitment");

        if (m.Rid.Length != Keygen.RandomLength || m.Blinding.Length != Keygen.RandomLength)
        {
            throw new DecodingException(DecodingError.Malformed, "keygen rid or blinding");
        }

        if (m.Coefficients.Count != config.Threshold - (config.IsRefresh ? 1 : 0))
        {
            throw new DecodingException(DecodingError.Malformed, "keygen coefficient count");
        }

        IEnumerable<Point> constant = config.IsRefresh ? [config.Curve.Identity] : [];
        return new Dealing(
            m.Rid.ToByteArray(),
            [.. constant, .. m.Coefficients.Select(c => Point.Decode(config.Curve, c.Span, "keygen coefficient"))],
            Point.Decode(config.Curve, m.SchnorrCommitment.Span, "keygen Schnorr commitment"),
            m.Blinding.ToByteArray());
    }
}

/// <summary>The state one party carries between key-generation rounds.</summary>
internal sealed record KeygenState(KeygenConfig Config, int Self, Polynomial Polynomial, SchnorrProof.Commitment Schnorr, Dealing Dealing, KeyShare? Previous)
{
    public Curve Curve => Config.Curve;

    /// <summary>Wipes the dealt polynomial and the Πsch nonce (idempotent).</summary>
    public void Discard()
    {
        Polynomial.Dispose();
        Schnorr.Dispose();
    }
}
