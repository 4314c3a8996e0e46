using System.Numerics;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Testing;

namespace Threshold.Fuzz;

/// <summary>
/// The public values the decoders check against (Paillier moduli, ring-Pedersen setups, ciphertexts,
/// points), built once from the repository's pregenerated test primes so every run decodes against the
/// same statements.
/// </summary>
internal static class Fixtures
{
    private static readonly Lazy<State> Lazy = new(() => new State());

    public static SecurityLevel Level => SecurityLevel.Bits2048;

    public static Curve DefaultCurve => Curve.Secp256k1;

    public static ProofContext Context { get; } = new("fuzz-session"u8.ToArray(), 1);

    public static State Values => Lazy.Value;

    /// <summary>The curve an input's first byte selects (even: secp256k1, odd: P-256).</summary>
    public static Curve CurveOf(byte selector) => (selector & 1) == 0 ? Curve.Secp256k1 : Curve.P256;

    internal sealed class State
    {
        public State()
        {
            Prover = TestPrimes.PaillierKey(Level, 0);
            N0 = Prover.PublicKey;
            N1 = TestPrimes.PaillierKey(Level, 1).PublicKey;
            VerifierSetup = TestSetups.RingPedersen(Level, 1);
            Setup = VerifierSetup.Parameters;
            C = N0.Encrypt(5, 7);
            D = N0.Encrypt(11, 13);
            Y = N1.Encrypt(17, 19);
            X = Point.MultiplyGenerator(Scalar.FromValue(DefaultCurve, 3));
            Base = Point.MultiplyGenerator(Scalar.FromValue(DefaultCurve, 2));
        }

        public PaillierSecretKey Prover { get; }

        public PaillierPublicKey N0 { get; }

        public PaillierPublicKey N1 { get; }

        public RingPedersenSecret VerifierSetup { get; }

        public RingPedersenParameters Setup { get; }

        public PaillierCiphertext C { get; }

        public PaillierCiphertext D { get; }

        public PaillierCiphertext Y { get; }

        public Point X { get; }

        public Point Base { get; }

        public BigInteger N0Modulus => N0.N;
    }
}
