// Every check of presigning, written once against a MessageView: the signers run them on their own
// history, the judge on an accusation's evidence. Values that other signers broadcast (K_m, Γ_m,
// δ_m, S_m) are read through the view, so a judge computes with the values the accused echoed.
using System.Numerics;
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Rounds.Signing;

namespace Threshold.Cggmp.Presigning;

/// <summary>Which failed check the identification round explains.</summary>
internal enum IdentificationTarget
{
    /// <summary>δ·G ≠ Σ Δ_j (identification in round 4).</summary>
    Delta,

    /// <summary>Σ S_j ≠ X (identification in round 5).</summary>
    Chi,
}

/// <summary>j's round-2 message to v, decoded: D, F (γ) and D̂, F̂ (x) with their statements and proofs, and Πlog* for G_j.</summary>
internal sealed record AffineMessage(
    AffineOperationWithGroupCommitmentProof.Statement GammaStatement,
    AffineOperationWithGroupCommitmentProof.Proof GammaProof,
    AffineOperationWithGroupCommitmentProof.Statement XStatement,
    AffineOperationWithGroupCommitmentProof.Proof XProof,
    KnowledgeOfExponentVsEncryptionProof.Statement LogStatement,
    KnowledgeOfExponentVsEncryptionProof.Proof LogProof);

/// <summary>A signer's identification broadcast, decoded and its received messages checked genuine.</summary>
internal sealed record IdentificationMessage(
    PaillierCiphertext H,
    ByteString MulProof,
    ByteString Chi,
    IReadOnlyList<RoundMessage> Received,
    IReadOnlyList<PaillierCiphertext> DSent,
    IReadOnlyList<PaillierCiphertext> FSent);

/// <summary>The checks and decoders of one presigning run, for a given setup and session.</summary>
internal sealed class PresignVerification(PresignSetup setup, byte[] sessionId, IPartyDirectory directory)
{
    public PresignSetup Setup => setup;

    public byte[] SessionId => sessionId;

    /// <summary>Bit bound ℓ_y of the plaintexts whose residues Πdec shows in identification: δ_i and χ_i are
    /// k·γ (&lt; 2^512) plus t − 1 terms α + β, each below 2^(ℓ'+2) once the α range check has passed.</summary>
    public int IdentificationBits => setup.Level.EllPrime + 3 + (int)Math.Ceiling(Math.Log2(setup.Signers.Count));

    /// <summary>The proof context of every proof by <paramref name="prover"/> in this run.</summary>
    public ProofContext Context(int prover) => Presign.Context(sessionId, setup.PublicKey, setup.Signers, prover);

    private IEnumerable<int> OthersThan(int j) => setup.Signers.Where(m => m != j);

    // ---- the rounds' shape ----

    /// <summary>
    /// Rounds 1–3 carry a broadcast and a direct message; round 4 carries S_j, or the δ identification
    /// (broadcast and direct) if the δ check failed; round 5 the χ identification if Σ S_j ≠ X, else the
    /// confirmation.
    /// </summary>
    public RoundShape Shape(int round, MessageView view) => round switch
    {
        1 or 2 or 3 => new RoundShape(true, true),
        4 => DeltaFails(view) ? new RoundShape(true, true) : new RoundShape(true, false),
        5 when DeltaFails(view) => RoundShape.None,
        5 => ChiFails(view) ? new RoundShape(true, true) : RoundShape.Confirm,
        _ => RoundShape.None,
    };

    /// <summary>Whether δ·G ≠ Σ Δ_m (or δ = 0), from every signer's round-3 broadcast.</summary>
    public bool DeltaFails(MessageView view)
    {
        var values = setup.Signers.Select(m => Delta(view, m)).ToList();
        var delta = values.Select(v => v.Delta).Aggregate((a, b) => a + b);
        return delta.IsZero || !Point.MultiplyGenerator(delta).Equals(values.Select(v => v.BigDelta).Aggregate((a, b) => a + b));
    }

    /// <summary>Whether Σ S_m ≠ X, from every signer's round-4 broadcast (the δ check having held).</summary>
    public bool ChiFails(MessageView view) =>
        !setup.Signers.Select(m => ChiCommitment(view, m)).Aggregate((a, b) => a + b).Equals(setup.PublicKey);

    // ---- decoders, one per message ----

    /// <summary>(K_j, G_j) from j's round-1 broadcast, validated in Z*_{N_j²}.</summary>
    public (PaillierCiphertext K, PaillierCiphertext G) Ciphertexts(MessageView view, int j)
    {
        var m = WireCodec.Parse(Wire.PresignCiphertexts.Parser, view.Broadcast(1, j).Payload, "presign ciphertexts");
        var key = setup.PaillierKeys[j];
        return (Presign.Ciphertext(key, m.K, "K_j"), Presign.Ciphertext(key, m.G, "G_j"));
    }

    /// <summary>Πenc for K_j against v's parameters, from j's round-1 message to v.</summary>
    public (PaillierEncryptionInRangeProof.Statement Statement, PaillierEncryptionInRangeProof.Proof Proof) Encryption(MessageView view, int j, int v)
    {
        var statement = new PaillierEncryptionInRangeProof.Statement(setup.Level, setup.Curve, setup.Setups[v], setup.PaillierKeys[j], Ciphertexts(view, j).K);
        var payload = WireCodec.Parse(Wire.PresignEncProof.Parser, view.Direct(1, j, v).Payload, "Πenc").Proof.Span;
        return (statement, PaillierEncryptionInRangeProof.Proof.Decode(statement, payload));
    }

    /// <summary>Γ_j from j's round-2 broadcast.</summary>
    public Point Gamma(MessageView view, int j) =>
        WireCodec.DecodePoint(setup.Curve, WireCodec.Parse(Wire.PresignGamma.Parser, view.Broadcast(2, j).Payload, "Γ_j").Gamma, "Γ_j");

    /// <summary>j's affine operations on K_v and its proofs, from j's round-2 message to v.</summary>
    public AffineMessage Affine(MessageView view, int j, int v)
    {
        var m = WireCodec.Parse(Wire.PresignAffine.Parser, view.Direct(2, j, v).Payload, "presign affine");
        var (own, theirs, rp) = (setup.PaillierKeys[v], setup.PaillierKeys[j], setup.Setups[v]);
        var gamma = Gamma(view, j);
        var kv = Ciphertexts(view, v).K;
        var gammaStatement = new AffineOperationWithGroupCommitmentProof.Statement(setup.Level, rp, own, theirs, kv, Presign.Ciphertext(own, m.D, "D"), Presign.Ciphertext(theirs, m.F, "F"), gamma);
        var xStatement = new AffineOperationWithGroupCommitmentProof.Statement(setup.Level, rp, own, theirs, kv, Presign.Ciphertext(own, m.DHat, "D̂"), Presign.Ciphertext(theirs, m.FHat, "F̂"), setup.PublicX[j]);
        var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(setup.Level, rp, theirs, Ciphertexts(view, j).G, gamma, setup.Curve.Generator);
        return new AffineMessage(
            gammaStatement,
            AffineOperationWithGroupCommitmentProof.Proof.Decode(gammaStatement, m.AffGamma.Span),
            xStatement,
            AffineOperationWithGroupCommitmentProof.Proof.Decode(xStatement, m.AffX.Span),
            logStatement,
            KnowledgeOfExponentVsEncryptionProof.Proof.Decode(logStatement, m.LogGamma.Span));
    }

    /// <summary>(δ_j, Δ_j) from j's round-3 broadcast.</summary>
    public (Scalar Delta, Point BigDelta) Delta(MessageView view, int j)
    {
        var m = WireCodec.Parse(Wire.PresignDelta.Parser, view.Broadcast(3, j).Payload, "presign delta");
        return (WireCodec.DecodeScalar(setup.Curve, m.Delta, "δ_j"), WireCodec.DecodePoint(setup.Curve, m.BigDelta, "Δ_j"));
    }

    /// <summary>Γ = Σ Γ_m over every signer.</summary>
    public Point GammaSum(MessageView view) => setup.Signers.Select(m => Gamma(view, m)).Aggregate((a, b) => a + b);

    /// <summary>Πlog* for K_j vs Δ_j with base Γ, from j's round-3 message to v.</summary>
    public (KnowledgeOfExponentVsEncryptionProof.Statement Statement, KnowledgeOfExponentVsEncryptionProof.Proof Proof) LogK(MessageView view, int j, int v)
    {
        var statement = new KnowledgeOfExponentVsEncryptionProof.Statement(setup.Level, setup.Setups[v], setup.PaillierKeys[j], Ciphertexts(view, j).K, Delta(view, j).BigDelta, GammaSum(view));
        var payload = WireCodec.Parse(Wire.PresignLogProof.Parser, view.Direct(3, j, v).Payload, "Πlog*").Proof.Span;
        return (statement, KnowledgeOfExponentVsEncryptionProof.Proof.Decode(statement, payload));
    }

    /// <summary>j's round-4 broadcast, of the kind the δ check (read through the view) calls for.</summary>
    private Wire.PresignRound4 Round4(MessageView view, int j)
    {
        var expected = DeltaFails(view) ? Wire.PresignRound4.BodyOneofCase.Identification : Wire.PresignRound4.BodyOneofCase.ChiCommitment;
        var m = WireCodec.Parse(Wire.PresignRound4.Parser, view.Broadcast(4, j).Payload, "presign round 4");
        return m.BodyCase == expected ? m : throw new DecodingException(DecodingError.Malformed, $"round 4: expected {expected}, got {m.BodyCase}");
    }

    /// <summary>S_j from j's round-4 broadcast (the δ check having held).</summary>
    public Point ChiCommitment(MessageView view, int j) =>
        WireCodec.DecodePoint(setup.Curve, (Round4(view, j).ChiCommitment ?? throw new EvidenceException("no S_j after a failed δ check")).S, "S_j");

    /// <summary>
    /// What the identification of <paramref name="round"/> explains, from the broadcasts read through the
    /// view: δ in round 4 if the δ check failed; χ in round 5 if it held and Σ S_j ≠ X.
    /// </summary>
    /// <exception cref="EvidenceException">No identification is due in that round.</exception>
    public IdentificationTarget Target(MessageView view, int round) => round switch
    {
        4 when DeltaFails(view) => IdentificationTarget.Delta,
        5 when !DeltaFails(view) && ChiFails(view) => IdentificationTarget.Chi,
        _ => throw new EvidenceException($"no identification is due in round {round}"),
    };

    /// <summary>j's identification broadcast of <paramref name="round"/>: H_j, its proofs, the signed round-2 messages it received, and the D and F it sent.</summary>
    public IdentificationMessage Identification(MessageView view, int j, int round)
    {
        var m = Target(view, round) == IdentificationTarget.Delta
            ? Round4(view, j).Identification
            : WireCodec.Parse(Wire.PresignIdentification.Parser, view.Broadcast(5, j).Payload, "identification");
        var others = OthersThan(j).ToList();
        if (m.Received.Count != others.Count || m.DSent.Count != others.Count || m.FSent.Count != others.Count)
        {
            throw new DecodingException(DecodingError.Malformed, "identification lists");
        }

        var pk = setup.PaillierKeys[j];
        var received = new List<RoundMessage>();
        for (var n = 0; n < others.Count; n++)
        {
            var message = RoundMessage.Decode(m.Received[n].Span);
            if (message is not { Round: 2, Kind: MessageKind.Round } || message.Sender != others[n] || message.Recipient != j
                || message.Protocol != Presign.ProtocolName || !message.SessionId.AsSpan().SequenceEqual(sessionId)
                || !message.SignatureVerifies(directory))
            {
                throw new DecodingException(DecodingError.Malformed, "identification: a received message is not genuine");
            }

            received.Add(message);
        }

        return new IdentificationMessage(
            Presign.Ciphertext(pk, m.H, "H_j"),
            m.MulProof,
            m.Chi,
            received,
            [.. others.Select((o, n) => Presign.Ciphertext(setup.PaillierKeys[o], m.DSent[n], "D_{o,j}"))],
            [.. others.Select((_, n) => Presign.Ciphertext(pk, m.FSent[n], "F_{o,j}"))]);
    }

    /// <summary>j's identification proofs of <paramref name="round"/> for v.</summary>
    public Wire.PresignIdentificationProofs IdentificationProofs(MessageView view, int j, int v, int round)
    {
        Target(view, round);
        var p = WireCodec.Parse(Wire.PresignIdentificationProofs.Parser, view.Direct(round, j, v).Payload, "identification proofs");
        return p.AffProofs.Count == setup.Signers.Count - 1 ? p : throw new DecodingException(DecodingError.Malformed, "identification proof list");
    }

    /// <summary>Decodes a message as its slot's payload (for a malformed-message accusation).</summary>
    /// <exception cref="DecodingException">It does not decode.</exception>
    /// <exception cref="EvidenceException">The slot has no payload of this kind.</exception>
    public void Decode(MessageView view, RoundMessage message)
    {
        var (j, to) = (message.Sender, message.Recipient);
        switch (message.Round, to)
        {
            case (1, null):
                Ciphertexts(view, j);
                break;
            case (1, { } v):
                Encryption(view, j, v);
                break;
            case (2, null):
                Gamma(view, j);
                break;
            case (2, { } v):
                Affine(view, j, v);
                break;
            case (3, null):
                Delta(view, j);
                break;
            case (3, { } v):
                LogK(view, j, v);
                break;
            case (4, null) when DeltaFails(view):
            case (5, null):
                Identification(view, j, message.Round);
                break;
            case (4, null):
                ChiCommitment(view, j);
                break;
            case (4 or 5, { } v):
                IdentificationProofs(view, j, v, message.Round);
                break;
            default:
                throw new EvidenceException("no payload to decode in this slot");
        }
    }

    // ---- checks ----

    /// <summary>Round 1: Πenc for K_j, made for v.</summary>
    public CheckFailure? CheckEncryption(MessageView view, int j, int v, RingPedersenSecret? verifierSecret)
    {
        var (statement, proof) = Encryption(view, j, v);
        var verdict = PaillierEncryptionInRangeProof.Verify(Context(j), statement, proof, verifierSecret);
        return verdict.IsValid ? null : new(PresignChecks.Encryption, $"Πenc for K_j failed ({verdict.FailedCheck})");
    }

    /// <summary>Round 2: j's two Πaff-g on K_v and its Πlog* for G_j vs Γ_j, verified side by side; the first failure in that order.</summary>
    public CheckFailure? CheckAffine(MessageView view, int j, int v, RingPedersenSecret? verifierSecret, PaillierSecretKey? verifierKey)
    {
        var a = Affine(view, j, v);
        var context = Context(j);
        var verdicts = ParallelVerification.VerifyAll(
        [
            () => AffineOperationWithGroupCommitmentProof.Verify(context, a.GammaStatement, a.GammaProof, verifierSecret, verifierKey),
            () => AffineOperationWithGroupCommitmentProof.Verify(context, a.XStatement, a.XProof, verifierSecret, verifierKey),
            () => KnowledgeOfExponentVsEncryptionProof.Verify(context, a.LogStatement, a.LogProof, verifierSecret),
        ]);
        string[] checks = [PresignChecks.AffineGamma, PresignChecks.AffineX, PresignChecks.LogGamma];
        string[] names = ["Πaff-g for γ_j", "Πaff-g for x_j", "Πlog* for G_j"];
        for (var n = 0; n < verdicts.Count; n++)
        {
            if (!verdicts[n].IsValid)
            {
                return new(checks[n], $"{names[n]} failed ({verdicts[n].FailedCheck})");
            }
        }

        return null;
    }

    /// <summary>|α| bound of an honest affine operation: Πaff-g only bounds it by 2^(ℓ'+ε), an honest one stays within 2^(ℓ'+1).</summary>
    public BigInteger AlphaBound => BigInteger.One << (setup.Level.EllPrime + 1);

    /// <summary>
    /// Round 2, at v only (it takes v's decryption key): the plaintexts α, α̂ of D_{v,j}, D̂_{v,j}, or a
    /// failure that discloses the plaintext out of range and its nonce, so anyone can re-encrypt.
    /// </summary>
    public (BigInteger Alpha, BigInteger AlphaHat)? Decrypt(MessageView view, int j, int v, PaillierSecretKey key, out CheckFailure? failure)
    {
        ArgumentNullException.ThrowIfNull(key);
        var a = Affine(view, j, v);
        var alpha = key.DecryptSigned(a.GammaStatement.D);
        var alphaHat = key.DecryptSigned(a.XStatement.D);
        failure = null;
        if (BigInteger.Abs(alpha) > AlphaBound || BigInteger.Abs(alphaHat) > AlphaBound)
        {
            var (which, value, ciphertext) = BigInteger.Abs(alpha) > AlphaBound ? (0, alpha, a.GammaStatement.D) : (1, alphaHat, a.XStatement.D);
            failure = new(PresignChecks.AlphaRange, "affine operation with an additive term outside ±2^(ℓ'+1)", AlphaDisclosure.Encode(which, value, key.RecoverNonce(ciphertext.Value)));
            return null;
        }

        return (alpha, alphaHat);
    }

    /// <summary>Whether a disclosed (plaintext, nonce) shows j's D_{v,j} (or D̂) to hold an additive term out of range.</summary>
    public bool AlphaDisclosed(MessageView view, int j, int v, byte[] disclosure)
    {
        var key = setup.PaillierKeys[v];
        var (which, plaintext, nonce) = AlphaDisclosure.Decode(disclosure, key);
        var a = Affine(view, j, v);
        var d = which switch
        {
            0 => a.GammaStatement.D,
            1 => a.XStatement.D,
            _ => throw new DecodingException(DecodingError.OutOfRange, "α disclosure"),
        };
        return key.Encrypt(plaintext, nonce).Equals(d) && BigInteger.Abs(plaintext) > AlphaBound;
    }

    /// <summary>Round 3: Πlog* for K_j vs Δ_j with base Γ, made for v.</summary>
    public CheckFailure? CheckLogK(MessageView view, int j, int v, RingPedersenSecret? verifierSecret)
    {
        var (statement, proof) = LogK(view, j, v);
        var verdict = KnowledgeOfExponentVsEncryptionProof.Verify(Context(j), statement, proof, verifierSecret);
        return verdict.IsValid ? null : new(PresignChecks.LogK, $"Πlog* for K_j vs Δ_j failed ({verdict.FailedCheck})");
    }

    /// <summary>
    /// The identification round, prover j, verifier v: what j publishes agrees with what it sent v; H_j
    /// encrypts k_j·γ_j (Πmul) or k_j·x̃_j (Πmul*, with χ_j revealed and S_j = χ_j·R); every affine
    /// operation j performed is proven again; and the ciphertext of δ_j (χ_j), built from the signed
    /// messages j received and the F it sent, decrypts to it modulo q (Πdec).
    /// </summary>
    /// <remarks>
    /// The proofs and χ_j decode against statements built here, so a value that does not decode (a
    /// commitment that is not a unit, say) fails the check of the proof it belongs to, for the live
    /// check and for a judge alike.
    /// </remarks>
    public CheckFailure? CheckIdentification(MessageView view, int j, int v, int round, RingPedersenSecret? verifierSecret, PaillierSecretKey? verifierKey)
    {
        var stage = PresignChecks.IdentificationInconsistent;
        try
        {
            return CheckIdentification(view, j, v, round, verifierSecret, verifierKey, ref stage);
        }
        catch (DecodingException e)
        {
            return new(stage, $"identification does not decode: {e.Message}");
        }
    }

    private CheckFailure? CheckIdentification(MessageView view, int j, int v, int round, RingPedersenSecret? verifierSecret, PaillierSecretKey? verifierKey, ref string stage)
    {
        var target = Target(view, round);
        var isDelta = target == IdentificationTarget.Delta;
        var id = Identification(view, j, round);
        var proofs = IdentificationProofs(view, j, v, round);
        var others = OthersThan(j).ToList();
        var pk = setup.PaillierKeys[j];
        var context = Context(j);

        var original = WireCodec.Parse(Wire.PresignAffine.Parser, view.Direct(2, j, v).Payload, "affine");
        var (sentD, sentF) = isDelta ? (original.D, original.F) : (original.DHat, original.FHat);
        var index = others.IndexOf(v);
        if (!Presign.Ciphertext(setup.PaillierKeys[v], sentD, "D").Equals(id.DSent[index]) || !Presign.Ciphertext(pk, sentF, "F").Equals(id.FSent[index]))
        {
            return new(PresignChecks.IdentificationInconsistent, "published affine operations differ from those it sent");
        }

        var (kj, gj) = Ciphertexts(view, j);
        var multiplierPoint = isDelta ? Gamma(view, j) : setup.PublicX[j];
        Scalar x;
        stage = PresignChecks.IdentificationProduct;
        if (isDelta)
        {
            var statement = new PaillierMultiplicationProof.Statement(pk, kj, gj, id.H, setup.Curve);
            var verdict = PaillierMultiplicationProof.Verify(context, statement, PaillierMultiplicationProof.Proof.Decode(statement, id.MulProof.Span));
            if (!verdict.IsValid)
            {
                return new(PresignChecks.IdentificationProduct, $"Πmul failed ({verdict.FailedCheck})");
            }

            x = Delta(view, j).Delta;
        }
        else
        {
            stage = PresignChecks.IdentificationChi;
            x = WireCodec.DecodeScalar(setup.Curve, id.Chi, "χ_j");
            var deltaSum = setup.Signers.Select(m => Delta(view, m).Delta).Aggregate((a, b) => a + b);
            var r = deltaSum.Invert() * GammaSum(view);
            if (!(x * r).Equals(ChiCommitment(view, j)))
            {
                return new(PresignChecks.IdentificationChi, "revealed χ_j does not match S_j = χ_j·R");
            }

            stage = PresignChecks.IdentificationProduct;
            var statement = new MultiplicationWithGroupCommitmentProof.Statement(pk, kj, id.H, multiplierPoint, setup.Setups[v], setup.Level);
            var verdict = MultiplicationWithGroupCommitmentProof.Verify(context, statement, MultiplicationWithGroupCommitmentProof.Proof.Decode(statement, proofs.MulstarProof.Span), verifierSecret);
            if (!verdict.IsValid)
            {
                return new(PresignChecks.IdentificationProduct, $"Πmul* failed ({verdict.FailedCheck})");
            }
        }

        stage = PresignChecks.IdentificationAffine;
        for (var n = 0; n < others.Count; n++)
        {
            var m = others[n];
            var statement = new AffineOperationWithGroupCommitmentProof.Statement(setup.Level, setup.Setups[v], setup.PaillierKeys[m], pk, Ciphertexts(view, m).K, id.DSent[n], id.FSent[n], multiplierPoint);
            var proof = AffineOperationWithGroupCommitmentProof.Proof.Decode(statement, proofs.AffProofs[n].Span);
            var verdict = AffineOperationWithGroupCommitmentProof.Verify(context, statement, proof, verifierSecret, m == v ? verifierKey : null);
            if (!verdict.IsValid)
            {
                return new(PresignChecks.IdentificationAffine, $"Πaff-g for its operation on K_{m} failed ({verdict.FailedCheck})");
            }
        }

        stage = PresignChecks.IdentificationDecryption;
        var received = id.Received.Select(message => ReceivedCiphertext(pk, message, target)).ToList();
        var opened = Opened(pk, id.H, received.Zip(id.FSent));
        var decStatement = new DecryptionModuloQProof.Statement(pk, opened, x, setup.Setups[v], setup.Level, IdentificationBits);
        var decVerdict = DecryptionModuloQProof.Verify(context, decStatement, DecryptionModuloQProof.Proof.Decode(decStatement, proofs.DecProof.Span), verifierSecret);
        return decVerdict.IsValid ? null : new(PresignChecks.IdentificationDecryption, $"Πdec for its {(isDelta ? "δ_j" : "χ_j")} failed ({decVerdict.FailedCheck})");
    }

    /// <summary>D_{i,j} (δ) or D̂_{i,j} (χ) from j's signed round-2 message to i.</summary>
    public static PaillierCiphertext ReceivedCiphertext(PaillierPublicKey key, RoundMessage message, IdentificationTarget target)
    {
        var m = WireCodec.Parse(Wire.PresignAffine.Parser, message.Payload, "affine");
        return Presign.Ciphertext(key, target == IdentificationTarget.Delta ? m.D : m.DHat, "D_{i,j}");
    }

    /// <summary>C_i = H_i · Π_j D_{i,j} · F_{j,i}⁻¹ under N_i: its plaintext is k_i·γ_i + Σ_j (α_{i,j} + β_{i,j}).</summary>
    public static PaillierCiphertext Opened(PaillierPublicKey key, PaillierCiphertext h, IEnumerable<(PaillierCiphertext D, PaillierCiphertext F)> terms) =>
        terms.Aggregate(h, (acc, t) => key.Add(key.Add(acc, t.D), key.Multiply(t.F, -1)));
}

/// <summary>The disclosure substantiating an α range accusation: which operation, its plaintext and nonce.</summary>
internal static class AlphaDisclosure
{
    public static byte[] Encode(int which, BigInteger plaintext, BigInteger nonce) =>
        new Wire.PresignAlphaDisclosure { Which = (uint)which, Plaintext = WireCodec.Signed(plaintext), Nonce = WireCodec.Unsigned(nonce) }.ToByteArray();

    /// <summary>Strict decoding: the plaintext is the unique representative in (−N/2, N/2], the nonce a unit mod N.</summary>
    public static (int Which, BigInteger Plaintext, BigInteger Nonce) Decode(byte[] disclosure, PaillierPublicKey key)
    {
        var m = WireCodec.Parse(Wire.PresignAlphaDisclosure.Parser, disclosure, "α disclosure");
        var plaintext = WireCodec.DecodeSigned(m.Plaintext, key.Bits, "α");
        if (plaintext * 2 <= -key.N || plaintext * 2 > key.N)
        {
            throw new DecodingException(DecodingError.OutOfRange, "α outside (−N/2, N/2]");
        }

        return ((int)m.Which, plaintext, WireCodec.DecodeUnit(m.Nonce, key.N, key.Arithmetic, "α nonce"));
    }
}
