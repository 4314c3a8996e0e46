using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;
using Threshold.Primes;
using Threshold.Secrets;

namespace Threshold.Paillier;

/// <summary>
/// A Paillier secret key over N = p·q with p, q safe primes of equal length (so N is a Blum integer,
/// as Πmod requires). Decrypts and encrypts with the Chinese remainder theorem; wiped on
/// <see cref="Dispose"/>; never printed.
/// </summary>
public sealed class PaillierSecretKey : IDisposable
{
    private readonly SecretBigInteger p;
    private readonly SecretBigInteger q;
    private readonly SecretBigInteger phi;
    private readonly SecretBigInteger hp;
    private readonly SecretBigInteger hq;
    private readonly SecretBigInteger qModPMinus1;
    private readonly SecretBigInteger pModQMinus1;
    private readonly CrtPair overN;
    private readonly CrtPair overNSquared;
    private bool disposed;

    private PaillierSecretKey(BigInteger p, BigInteger q, IArithmetic arithmetic)
    {
        var a = arithmetic;
        PublicKey = new PaillierPublicKey(p * q, a);
        this.p = new(p);
        this.q = new(q);
        phi = new((p - 1) * (q - 1));
        qModPMinus1 = new(q % (p - 1));
        pModQMinus1 = new(p % (q - 1));
        var p2 = p * p;
        var q2 = q * q;
        var g = PublicKey.N + 1;

        // h_p = L_p(g^(p−1) mod p²)⁻¹ mod p, and likewise for q (Paillier 1999, §7 decryption with CRT).
        hp = new(a.ModInverse((a.ModPowSecret(g, p - 1, p2) - 1) / p, p));
        hq = new(a.ModInverse((a.ModPowSecret(g, q - 1, q2) - 1) / q, q));
        overN = new CrtPair(p, q, p - 1, q - 1, a);
        overNSquared = new CrtPair(p2, q2, p * (p - 1), q * (q - 1), a);
    }

    /// <summary>The public key.</summary>
    public PaillierPublicKey PublicKey { get; }

    /// <summary>The modulus N.</summary>
    public BigInteger N => PublicKey.N;

    /// <summary>The secret prime p (for the provers of Πmod and Πfac).</summary>
    public BigInteger P => Live(p);

    /// <summary>The secret prime q.</summary>
    public BigInteger Q => Live(q);

    /// <summary>φ(N) = (p − 1)(q − 1), secret.</summary>
    public BigInteger Phi => Live(phi);

    private IArithmetic Arithmetic => PublicKey.Arithmetic;

    /// <summary>
    /// Builds a key from two safe primes, checking everything the protocols rely on: p ≠ q, equal bit
    /// lengths, p ≡ q ≡ 3 (mod 4), and that p, (p − 1)/2, q, (q − 1)/2 are (probable) primes.
    /// </summary>
    /// <exception cref="ArgumentException">The primes do not meet these conditions.</exception>
    public static PaillierSecretKey FromSafePrimes(BigInteger p, BigInteger q, IArithmetic? arithmetic = null)
    {
        var a = arithmetic ?? Backends.Default;
        if (p == q || p.GetBitLength() != q.GetBitLength())
        {
            throw new ArgumentException("p and q must be distinct primes of equal length");
        }

        if (!SafePrimes.IsSafePrime(p, a) || !SafePrimes.IsSafePrime(q, a))
        {
            throw new ArgumentException("p and q must be safe primes");
        }

        return new PaillierSecretKey(p, q, a);
    }

    /// <summary>A fresh key at <paramref name="level"/>, taking primes from <paramref name="pool"/>.</summary>
    public static PaillierSecretKey Generate(SecurityLevel level, PrimePool pool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(pool);
        using var first = pool.Take(level.PrimeBits, cancellationToken);
        while (true)
        {
            using var second = pool.Take(level.PrimeBits, cancellationToken);
            if (second.Value != first.Value)
            {
                return new PaillierSecretKey(first.Value, second.Value, pool.Arithmetic);
            }
        }
    }

    /// <summary>Decrypts to the residue in [0, N).</summary>
    public BigInteger Decrypt(PaillierCiphertext ciphertext)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        var pp = Live(p);
        var qq = Live(q);
        var mp = Arithmetic.ModMul(LowerHalf(ciphertext.Value, pp), hp.Value, pp);
        var mq = Arithmetic.ModMul(LowerHalf(ciphertext.Value, qq), hq.Value, qq);
        return overN.Combine(mp, mq);
    }

    /// <summary>Decrypts to the signed residue in (−N/2, N/2], as CGGMP21 reads plaintexts.</summary>
    public BigInteger DecryptSigned(PaillierCiphertext ciphertext)
    {
        var m = Decrypt(ciphertext);
        return m > N >> 1 ? m - N : m;
    }

    /// <summary>Owner-side encryption with a fresh nonce (CRT; about 3× faster than the public key's).</summary>
    public PaillierCiphertext Encrypt(BigInteger message, RandomNumberGenerator rng, out BigInteger nonce)
    {
        nonce = PublicKey.SampleNonce(rng);
        return Encrypt(message, nonce);
    }

    /// <summary>Owner-side encryption with the supplied nonce ρ ∈ Z*_N.</summary>
    public PaillierCiphertext Encrypt(BigInteger message, BigInteger nonce)
    {
        if (!PublicKey.IsUnit(nonce))
        {
            throw new ArgumentException("nonce must be in Z*_N", nameof(nonce));
        }

        return new PaillierCiphertext(Arithmetic.ModMul(PublicKey.PlaintextFactor(message), NthPower(nonce), PublicKey.NSquared));
    }

    /// <summary>
    /// The nonce ρ ∈ Z*_N of a value v ≡ (1 + N)^m · ρ^N (mod N²): v ≡ ρ^N (mod N), and N is invertible
    /// modulo φ(N) for a modulus of two equal-length safe primes, so ρ = (v mod N)^(N⁻¹ mod φ(N)) mod N.
    /// With it the owner can open any ciphertext under its key publicly: (m, ρ) re-encrypts to it.
    /// </summary>
    public BigInteger RecoverNonce(BigInteger value)
    {
        var n = N;
        var residue = value % n;
        if (residue.Sign < 0)
        {
            residue += n;
        }

        return PowModN(residue, Arithmetic.ModInverse(n, Phi));
    }

    /// <summary>b^e mod N² for a unit b, by CRT (a verifier's shortcut on its own modulus).</summary>
    public BigInteger PowModNSquared(BigInteger value, BigInteger exponent) => Live(overNSquared).Pow(value, exponent);

    /// <summary>b^e mod N for a unit b, by CRT.</summary>
    public BigInteger PowModN(BigInteger value, BigInteger exponent) => Live(overN).Pow(value, exponent);

    /// <summary>a^x · b^y mod N for units a, b, by CRT (ring-Pedersen on one's own modulus).</summary>
    public BigInteger MultiExpModN(BigInteger a, BigInteger x, BigInteger b, BigInteger y) => Live(overN).MultiExp(a, x, b, y);

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var secret in new[] { p, q, phi, hp, hq, qModPMinus1, pModQMinus1 })
        {
            secret.Dispose();
        }

        overN.Dispose();
        overNSquared.Dispose();
    }

    /// <summary>Never shows key material.</summary>
    public override string ToString() => $"PaillierSecretKey({PublicKey.Bits} bits, [secret])";

    /// <summary>L_p(c^(p−1) mod p²) = (c^(p−1) mod p² − 1) / p.</summary>
    private BigInteger LowerHalf(BigInteger c, BigInteger prime) =>
        (Arithmetic.ModPowSecret(c, prime - 1, prime * prime) - 1) / prime;

    /// <summary>
    /// ρ^N mod N² by CRT. Modulo p², ρ^N lies in the subgroup of order p − 1 and equals ω(x) = x^p mod p²
    /// for x = ρ^N ≡ ρ^(q mod (p−1)) (mod p): one exponentiation mod p and one with a half-size exponent
    /// mod p², instead of a full-size exponent mod N².
    /// </summary>
    private BigInteger NthPower(BigInteger rho)
    {
        var pp = Live(p);
        var qq = Live(q);
        var xp = Arithmetic.ModPowSecret(rho, qModPMinus1.Value, pp);
        var xq = Arithmetic.ModPowSecret(rho, pModQMinus1.Value, qq);
        return overNSquared.Combine(Arithmetic.ModPowSecret(xp, pp, pp * pp), Arithmetic.ModPowSecret(xq, qq, qq * qq));
    }

    private T Live<T>(T value)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return value;
    }

    private BigInteger Live(SecretBigInteger value) => Live<SecretBigInteger>(value).Value;
}
