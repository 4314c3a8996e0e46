using System.Numerics;
using Google.Protobuf;
using System.Security.Cryptography;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Signing;
using Threshold.Curves;
using Threshold.Rounds;

namespace Threshold.Cggmp.Tests;

public sealed class SigningTests
{
    public static TheoryData<string, int, int> Settings => new()
    {
        { "secp256k1", 2, 2 },
        { "secp256k1", 2, 3 },
        { "secp256k1", 3, 5 },
        { "P-256", 2, 2 },
        { "P-256", 2, 3 },
        { "P-256", 3, 5 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void SignaturesVerifyWithDotNetsEcdsa(string curveName, int t, int n)
    {
        var cluster = Cluster.Get(Curve.FromName(curveName), t, n);
        var signers = Enumerable.Range(1, t).Select(i => n - i + 1).Order().ToList(); // the last t parties
        var (signature, digest) = cluster.Sign(signers, $"hello {curveName} {t} {n}");
        Assert.False(signature.S.IsHigh);
        Assert.True(Ecdsa.Verify(cluster.PublicKey, digest, signature.R, signature.S));
        Assert.True(IndependentVerify(cluster.PublicKey, digest, signature));
        Assert.Equal(cluster.PublicKey, Recover(cluster.Curve, digest, signature));
    }

    [Fact]
    public void AnyTwoOfThreeCanSign()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        foreach (var signers in new[] { new[] { 1, 2 }, [1, 3], [2, 3], [1, 2, 3] })
        {
            var (signature, digest) = cluster.Sign(signers, $"subset {string.Join(",", signers)}");
            Assert.True(IndependentVerify(cluster.PublicKey, digest, signature));
        }
    }

    [Fact]
    public void FewerThanTSignersAreRefused()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 3, 5);
        Assert.Throws<InsufficientSignersException>(() => cluster.Presign([1, 2], "too few"));
        Assert.Throws<InsufficientSignersException>(() => cluster.Presign([1, 2, 9], "stranger"));
    }

    [Fact]
    public void APresignatureSignsOnce()
    {
        var cluster = Cluster.Get(Curve.P256, 2, 2);
        var report = cluster.Presign([1, 2], "once");
        var presignature = report.Parties[0].Result;
        presignature.Sign(new byte[32]);
        Assert.True(presignature.IsSpent);
        Assert.Throws<InvalidOperationException>(() => presignature.Sign(new byte[32]));
    }

    [Fact]
    public void WrongPartialSignatureNamesItsSigner()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var report = cluster.Presign([1, 3], "wrong partial");
        var digest = SHA256.HashData("wrong partial"u8);
        var partials = report.Parties.Select(p => p.Result.Sign(digest)).ToList();
        partials[1] = partials[1] with { Sigma = partials[1].Sigma + Scalar.One(Curve.Secp256k1) };
        var error = Assert.Throws<SigningException>(() => SignatureCombiner.Combine(report.Parties[0].Result.Commitments, digest, partials));
        Assert.Equal([3], error.Failure.Culprits);
        Assert.Empty(error.Failure.MissingSigners);
    }

    [Fact]
    public void MissingPartialSignatureIsReported()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var report = cluster.Presign([1, 2], "missing partial");
        var digest = SHA256.HashData("missing partial"u8);
        var partial = report.Parties[0].Result.Sign(digest);
        var error = Assert.Throws<SigningException>(() => SignatureCombiner.Combine(report.Parties[0].Result.Commitments, digest, [partial]));
        Assert.Equal([2], error.Failure.MissingSigners);
    }

    public static TheoryData<int, string> ProofTampering => new()
    {
        { 1, PresignChecks.Encryption },
        { 2, PresignChecks.AffineGamma },
        { 2, PresignChecks.AffineX },
        { 2, PresignChecks.LogGamma },
        { 3, PresignChecks.LogK },
    };

    [Theory]
    [MemberData(nameof(ProofTampering))]
    public void BadProofIsBlamedOnItsProverByEveryHonestSigner(int round, string check)
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 3, 5);
        const int culprit = 4;
        const int victim = 2;
        var report = cluster.Presign([1, 2, 4], $"bad {check}", (m, to) =>
        {
            if (m.Sender != culprit || m.Round != round || m.Recipient != victim)
            {
                return m;
            }

            return check switch
            {
                PresignChecks.Encryption => cluster.TamperProof(m, Wire.PresignEncProof.Parser, "proof", Threshold.Proofs.Wire.PaillierEncryptionInRangeProof.Parser, "z3"),
                PresignChecks.AffineGamma => cluster.TamperProof(m, Wire.PresignAffine.Parser, "aff_gamma", Threshold.Proofs.Wire.AffineOperationWithGroupCommitmentProof.Parser, "z3"),
                PresignChecks.AffineX => cluster.TamperProof(m, Wire.PresignAffine.Parser, "aff_x", Threshold.Proofs.Wire.AffineOperationWithGroupCommitmentProof.Parser, "z3"),
                PresignChecks.LogGamma => cluster.TamperProof(m, Wire.PresignAffine.Parser, "log_gamma", Threshold.Proofs.Wire.KnowledgeOfExponentVsEncryptionProof.Parser, "z3"),
                _ => cluster.TamperProof(m, Wire.PresignLogProof.Parser, "proof", Threshold.Proofs.Wire.KnowledgeOfExponentVsEncryptionProof.Parser, "z3"),
            };
        });
        foreach (var party in report.Parties.Where(p => p.Index != culprit))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var blamed = Assert.Single(party.Culprits);
            Assert.Equal(culprit, blamed.Party);
            Assert.Equal(check, blamed.Check);
        }
    }

    [Fact]
    public void WrongDeltaShareIsIdentified()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var report = cluster.Presign([1, 2, 3], "bad delta", faulty: 3, faults: new PresignFaults(Delta: d => d + Scalar.One(Curve.Secp256k1)));
        AssertBlamed(report, culprit: 3, PresignChecks.IdentificationDecryption);
    }

    [Fact]
    public void WrongChiCommitmentIsIdentified()
    {
        var cluster = Cluster.Get(Curve.P256, 2, 3);
        var report = cluster.Presign([1, 3], "bad S", faulty: 1, faults: new PresignFaults(ChiCommitment: s => s + Curve.P256.Generator));
        AssertBlamed(report, culprit: 1, PresignChecks.IdentificationChi);
    }

    [Fact]
    public void IdentificationThatContradictsWhatWasSentIsCaught()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 3, 5);
        var report = cluster.Presign(
            [2, 3, 5],
            "inconsistent identification",
            (m, to) =>
            {
                if (m is not { Sender: 5, Round: 4, IsBroadcast: true, Kind: MessageKind.Round })
                {
                    return m;
                }

                var round4 = Wire.PresignRound4.Parser.ParseFrom(m.Payload);
                round4.Identification.DSent[0] = round4.Identification.DSent[1]; // claim it sent party 2 what it sent party 3
                return Threshold.Rounds.Runner.Tamper.Resign(m, round4.ToByteArray(), cluster.Signers[4]);
            },
            faulty: 5,
            faults: new PresignFaults(Delta: d => d + Scalar.One(Curve.Secp256k1)));
        foreach (var party in report.Parties.Where(p => p.Index != 5))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            Assert.Equal(5, Assert.Single(party.Culprits).Party);
        }

        Assert.Equal(PresignChecks.IdentificationInconsistent, report.Party(2).Culprits[0].Check);
    }

    private static void AssertBlamed(Threshold.Rounds.Runner.RunReport<Presignature> report, int culprit, string check)
    {
        foreach (var party in report.Parties.Where(p => p.Index != culprit))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var blamed = Assert.Single(party.Culprits);
            Assert.True(blamed.Party == culprit && blamed.Check == check, $"party {party.Index} blamed {blamed.Party} for {blamed.Check}: {blamed.Reason}");
        }
    }

    /// <summary>An independent verifier: .NET's ECDsa (OpenSSL) with the key imported from its coordinates.</summary>
    internal static bool IndependentVerify(Point publicKey, byte[] digest, EcdsaSignature signature)
    {
        var encoded = publicKey.Encode(compressed: false);
        var curve = publicKey.Curve == Curve.P256 ? ECCurve.NamedCurves.nistP256 : ECCurve.CreateFromFriendlyName("secP256k1");
        using var key = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = encoded[1..33], Y = encoded[33..] } });
        return key.VerifyHash(digest, signature.ToP1363(), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Public-key recovery from (r, s, recovery id): X = r⁻¹·(s·R − m·G), as ecrecover does.</summary>
    internal static Point Recover(Curve curve, byte[] digest, EcdsaSignature signature)
    {
        var x = signature.R.Value + ((signature.RecoveryId & 2) != 0 ? curve.Order : BigInteger.Zero);
        var prefix = (byte)(0x02 | (signature.RecoveryId & 1));
        var encoded = new byte[33];
        encoded[0] = prefix;
        x.TryWriteBytes(encoded.AsSpan(1), out _, isUnsigned: true, isBigEndian: true);
        var bytes = x.ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(encoded, 1, 32);
        bytes.CopyTo(encoded, 33 - bytes.Length);
        var r = Point.Decode(curve, encoded);
        var m = Ecdsa.DigestToScalar(curve, digest);
        return signature.R.Invert() * ((signature.S * r) - Point.MultiplyGenerator(m));
    }
}
