// Presigning (CGGMP21 Fig. 7, with the corrections of the LFDT cggmp21 specification; the threshold
// form converts the Shamir shares of the t signers to additive shares with Lagrange coefficients):
//   1. broadcast K_i = enc_i(k_i), G_i = enc_i(γ_i); send Πenc for K_i to each j (against R_j)
//   2. broadcast Γ_i = γ_i·G; send each j the affine operations D_{j,i}, F_{j,i} (γ_i on K_j) and
//      D̂_{j,i}, F̂_{j,i} (x_i on K_j) with two Πaff-g, and Πlog* for G_i vs Γ_i
//   3. δ_i = γ_i·k_i + Σ_j (α_{i,j} + β_{i,j}), χ_i = x_i·k_i + Σ_j (α̂_{i,j} + β̂_{i,j}), Δ_i = k_i·Γ;
//      broadcast (δ_i, Δ_i), send Πlog* for K_i vs Δ_i (base Γ) to each j
//   4. check δ·G = Σ Δ_j, R = δ⁻¹·Γ; broadcast S_i = χ_i·R (so each partial signature can be checked)
//   5. check Σ S_j = X; output (R, k_i, χ_i) and the public R̄_j = δ⁻¹·Δ_j, S_j
// then the framework's confirmation round. Every proof failure names its prover with the signed
// messages as evidence; a failed δ check (round 4) or Σ S_j ≠ X (round 5) leads to identification.
// The session id is bound to the whole setup (PresignSetup), and every check lives once in
// PresignVerification, run by the signers on their history and by judges on evidence.
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;
using Threshold.Transcripts;

namespace Threshold.Cggmp.Presigning;

/// <summary>The agreed parameters of one presigning run.</summary>
/// <param name="Signers">The signer set: at least t parties of the key.</param>
/// <param name="SessionId">The id the coordinator chose, unique per run; also the presignature's id.</param>
public sealed record PresignConfig(IReadOnlyList<int> Signers, byte[] SessionId);

/// <summary>Fewer signers than the key's threshold, or signers that do not hold the key.</summary>
public sealed class InsufficientSignersException(string message) : ArgumentException(message);

/// <summary>CGGMP21 presigning for a signer set of t parties, with identifiable abort.</summary>
public static class Presign
{
    /// <summary>The protocol name bound into every message.</summary>
    public const string ProtocolName = "threshold.cggmp.presign";

    /// <summary>Creates this signer's state machine and its round-1 messages.</summary>
    /// <exception cref="InsufficientSignersException">Fewer than t signers, or signers outside the key.</exception>
    public static Party<Presignature> Create(PresignConfig config, KeyShare share, AuxInfo aux, PartyIdentity identity, RandomNumberGenerator rng) =>
        Create(config, share, aux, identity, rng, faults: null);

    /// <summary>As above; <paramref name="faults"/> makes this signer deviate the way a malicious one would
    /// (its own later steps see the deviation too, which rewriting its messages on the wire cannot do).</summary>
    internal static Party<Presignature> Create(PresignConfig config, KeyShare share, AuxInfo aux, PartyIdentity identity, RandomNumberGenerator rng, PresignFaults? faults)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(share);
        ArgumentNullException.ThrowIfNull(aux);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(rng);
        var setup = PresignSetup.From(config.Signers, share, aux);
        var self = identity.Index;
        if (self != share.Index || self != aux.Index || !setup.Signers.Contains(self))
        {
            throw new ArgumentException("the identity, key share and aux info must be the same signer's", nameof(identity));
        }

        if (config.SessionId is null || config.SessionId.Length is 0 or > 64)
        {
            throw new ArgumentException("session id must be 1 to 64 bytes", nameof(config));
        }

        var verification = new PresignVerification(setup, setup.BindSessionId(config.SessionId), identity.Directory);
        var state = PresignState.Start(config.SessionId, verification, share, aux, self, rng);
        state.Faults = faults;
        var session = new PartySession(ProtocolName, verification.SessionId, self, setup.Signers, identity.Signer, identity.Directory, new PresignJudge(verification));
        return new Party<Presignature>(session, new PresignRound1(state), state.FirstMessages());
    }

    /// <summary>What anyone needs to judge the abort notices of a run with <paramref name="setup"/> under the coordinator's <paramref name="chosenId"/>.</summary>
    public static SessionContext Context(PresignSetup setup, byte[] chosenId, Threshold.Rounds.Signing.IPartyDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var verification = new PresignVerification(setup, setup.BindSessionId(chosenId), directory);
        return new SessionContext(ProtocolName, verification.SessionId, setup.Signers, directory, new PresignJudge(verification));
    }

    /// <summary>The proof context of every proof in this run: bound to the session, the key and the signer set.</summary>
    internal static ProofContext Context(byte[] sessionId, Point publicKey, IReadOnlyList<int> signers, int prover)
    {
        using var t = Transcript.Start("threshold.cggmp.presign.proof-context").Append("sid", sessionId).Append("key", publicKey);
        foreach (var s in signers)
        {
            t.Append("signer", (ulong)s);
        }

        return new ProofContext(t.Digest(), prover);
    }

    /// <summary>A ciphertext from the wire, validated in Z*_{N²} of <paramref name="key"/>.</summary>
    internal static PaillierCiphertext Ciphertext(PaillierPublicKey key, ByteString encoded, string field) =>
        key.Validate(WireCodec.DecodeUnsigned(encoded, key.NSquared, field), field);
}

/// <summary>What one signer carries through presigning: its secrets, kept until the output is taken or the run ends.</summary>
internal sealed class PresignState
{
    private PresignState()
    {
    }

    /// <summary>The coordinator's id for the run (the presignature's id).</summary>
    public required byte[] ChosenId { get; init; }

    public required PresignVerification Verification { get; init; }

    public required int Self { get; init; }

    public required AuxInfo Aux { get; init; }

    public required RandomNumberGenerator Rng { get; init; }

    /// <summary>x̃_i = λ_i·x_i: this signer's additive share of x for this signer set.</summary>
    public required SecretScalar X { get; init; }

    public required SecretScalar K { get; init; }

    public required SecretScalar Gamma { get; init; }

    public required SecretBigInteger Rho { get; init; }

    public required SecretBigInteger Nu { get; init; }

    public required PaillierCiphertext OwnK { get; init; }

    public required PaillierCiphertext OwnG { get; init; }

    /// <summary>Deliberate deviations, for tests of identification (null for every honest run).</summary>
    public PresignFaults? Faults { get; set; }

    /// <summary>The affine operations this signer performed for each j, kept for identification.</summary>
    public Dictionary<int, (SentAffine Gamma, SentAffine X)> Sent { get; } = [];

    /// <summary>χ_i once computed (round 2), kept for round 4 and identification.</summary>
    public SecretScalar? Chi { get; set; }

    public PresignSetup Setup => Verification.Setup;

    public Curve Curve => Setup.Curve;

    public SecurityLevel Level => Setup.Level;

    public IEnumerable<int> Others => Setup.Signers.Where(j => j != Self);

    public PaillierPublicKey OwnKey => Aux.PaillierKey.PublicKey;

    public static PresignState Start(byte[] chosenId, PresignVerification verification, KeyShare share, AuxInfo aux, int self, RandomNumberGenerator rng)
    {
        var setup = verification.Setup;
        var key = aux.PaillierKey;
        var k = SecretScalar.Random(setup.Curve, rng);
        var gamma = SecretScalar.Random(setup.Curve, rng);
        var rho = key.PublicKey.SampleNonce(rng);
        var nu = key.PublicKey.SampleNonce(rng);
        return new PresignState
        {
            ChosenId = chosenId,
            Verification = verification,
            Self = self,
            Aux = aux,
            Rng = rng,
            X = share.Share.Multiply(Lagrange.Coefficient(setup.Curve, self, setup.Signers)), // λ_i·x_i in constant time
            K = k,
            Gamma = gamma,
            Rho = new SecretBigInteger(rho),
            Nu = new SecretBigInteger(nu),
            OwnK = key.Encrypt(k.Value.Value, rho),
            OwnG = key.Encrypt(gamma.Value.Value, nu),
        };
    }

    public ProofContext Context(int prover) => Verification.Context(prover);

    /// <summary>
    /// Runs <paramref name="work"/> for every other signer on all cores, each with its own generator
    /// (<see cref="Fork"/>).
    /// </summary>
    public Dictionary<int, T> ForEachOther<T>(string label, Func<int, RandomNumberGenerator, T> work)
    {
        var others = Others.ToList();
        var generators = others.Select(j => Fork(Rng, $"{label}-{j}")).ToList();
        var results = new T[others.Count];
        Parallel.For(0, others.Count, n => results[n] = work(others[n], generators[n]));
        return others.Select((j, n) => (j, results[n])).ToDictionary(x => x.j, x => x.Item2);
    }

    /// <summary>
    /// A generator for one parallel task: a labelled child of a forkable source (so a seeded run replays
    /// whatever order the tasks run in), else the thread-safe system CSPRNG itself.
    /// </summary>
    public static RandomNumberGenerator Fork(RandomNumberGenerator rng, string label) =>
        Threshold.Randomness.ParallelRandom.For(rng, label);

    /// <summary>Round 1: broadcast (K_i, G_i); Πenc for K_i to each j, against j's ring-Pedersen parameters.</summary>
    public Outgoing FirstMessages()
    {
        var broadcast = new Wire.PresignCiphertexts { K = WireCodec.Unsigned(OwnK.Value), G = WireCodec.Unsigned(OwnG.Value) }.ToByteArray();
        using var witness = new PaillierEncryptionInRangeProof.Witness(K, Rho.Value);
        var direct = ForEachOther("enc", (j, rng) =>
        {
            var statement = new PaillierEncryptionInRangeProof.Statement(Level, Curve, Setup.Setups[j], OwnKey, OwnK);
            var proof = PaillierEncryptionInRangeProof.Prove(Context(Self), statement, witness, rng, Aux.PaillierKey);
            var encoded = proof.Encode();
            encoded = Faults?.EncProof?.Invoke(encoded) ?? encoded;
            return new Wire.PresignEncProof { Proof = ByteString.CopyFrom(encoded) }.ToByteArray();
        });
        return new Outgoing { Broadcast = broadcast, Direct = direct };
    }

    /// <summary>Wipes every secret of the run (after the output is taken, or on abort); idempotent.</summary>
    public void Discard()
    {
        X.Dispose();
        K.Dispose();
        Gamma.Dispose();
        Rho.Dispose();
        Nu.Dispose();
        Chi?.Dispose();
        foreach (var (gamma, x) in Sent.Values)
        {
            gamma.Dispose();
            x.Dispose();
        }
    }
}

/// <summary>How a signer deviates in tests: a wrong δ_i, a wrong S_i, a corrupted Πenc proof (round 1).</summary>
internal sealed record PresignFaults(Func<Scalar, Scalar>? Delta = null, Func<Point, Point>? ChiCommitment = null, Func<byte[], byte[]>? EncProof = null);

/// <summary>
/// One affine operation this signer performed on K_j: D = x ⊙ K_j ⊕ enc_j(−β; s) and F = enc_i(−β; r),
/// with the secrets needed to prove it again in identification.
/// </summary>
internal sealed record SentAffine(PaillierCiphertext D, PaillierCiphertext F, SecretBigInteger Beta, SecretBigInteger S, SecretBigInteger R) : IDisposable
{
    public void Dispose()
    {
        Beta.Dispose();
        S.Dispose();
        R.Dispose();
    }
}
