using System.Numerics;
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Testing;

namespace Threshold.Proofs.Tests;

/// <summary>Shared pieces of the Πmul, Πmul* and Πdec tests: contexts, parameter grids, odd ciphertexts, wire surgery.</summary>
internal static class IdentificationTestKit
{
    public static readonly ProofContext Context = new("ident-session"u8.ToArray(), 2);

    public static readonly ProofContext OtherSession = new("ident-session-2"u8.ToArray(), 2);

    public static readonly ProofContext OtherProver = new("ident-session"u8.ToArray(), 3);

    /// <summary>Both levels on both curves.</summary>
    public static TheoryData<string, string> LevelsAndCurves => new()
    {
        { "2048", "secp256k1" },
        { "2048", "P-256" },
        { "3072", "secp256k1" },
        { "3072", "P-256" },
    };

    /// <summary>The prover's Paillier key (key 0 of the level).</summary>
    public static PaillierSecretKey ProverKey(SecurityLevel level) => TestPrimes.PaillierKey(level, 0);

    /// <summary>A Paillier key that is not the prover's (key 3 of the level).</summary>
    public static PaillierSecretKey OtherKey(SecurityLevel level) => TestPrimes.PaillierKey(level, 3);

    /// <summary>The verifier's ring-Pedersen secret (setup 1 of the level).</summary>
    public static RingPedersenSecret VerifierSetup(SecurityLevel level) => TestSetups.RingPedersen(level, 1);

    /// <summary>Another verifier's ring-Pedersen secret (setup 2 of the level).</summary>
    public static RingPedersenSecret OtherVerifierSetup(SecurityLevel level) => TestSetups.RingPedersen(level, 2);

    /// <summary>
    /// A value that is a valid ciphertext under another key but shares the factor p with the prover's
    /// 2048-bit key N, so it is not in Z*_{N²}.
    /// </summary>
    public static PaillierCiphertext NotCoprimeCiphertext()
    {
        var prover = ProverKey(SecurityLevel.Bits2048);
        return TestPrimes.PaillierKey(SecurityLevel.Bits2048, 3).PublicKey.Validate(prover.P, "test");
    }

    /// <summary>A valid ciphertext under a 3072-bit key that is ≥ N² for the prover's 2048-bit key N.</summary>
    public static PaillierCiphertext TooLargeCiphertext()
    {
        var prover = ProverKey(SecurityLevel.Bits2048);
        return TestPrimes.PaillierKey(SecurityLevel.Bits3072, 3).PublicKey.Validate(prover.PublicKey.NSquared + 1, "test");
    }

    /// <summary>Parses <paramref name="encoded"/>, lets <paramref name="change"/> edit the message, and re-encodes.</summary>
    public static byte[] Edit<T>(MessageParser<T> parser, byte[] encoded, Action<T> change)
        where T : IMessage<T>
    {
        var message = parser.ParseFrom(encoded);
        change(message);
        return message.ToByteArray();
    }

    /// <summary>Big-endian unsigned bytes with no leading zero.</summary>
    public static ByteString Bytes(BigInteger value) => ByteString.CopyFrom(value.ToByteArray(isUnsigned: true, isBigEndian: true));

    /// <summary>A signed encoding (sign byte, magnitude).</summary>
    public static ByteString SignedBytes(BigInteger value) => Encoding.WireCodec.Signed(value);

    /// <summary>An off-curve compressed point for secp256k1 (x = 5: x³ + 7 is not a square).</summary>
    public static ByteString OffCurvePoint()
    {
        var bytes = new byte[33];
        bytes[0] = 0x02;
        bytes[^1] = 5;
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>Asserts that decoding throws a <see cref="DecodingException"/> with <paramref name="reason"/>.</summary>
    public static void Rejects(DecodingError reason, Action decode) =>
        Assert.Equal(reason, Assert.Throws<DecodingException>(decode).Reason);

    /// <summary>(c mod N) · 2 mod N: a different unit of Z*_N.</summary>
    public static BigInteger Twice(BigInteger value, BigInteger modulus) => value * 2 % modulus;

    /// <summary>The curve called <paramref name="name"/>.</summary>
    public static Curve CurveNamed(string name) => Curve.FromName(name);
}
