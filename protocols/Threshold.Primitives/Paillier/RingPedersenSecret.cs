using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;
using Threshold.Secrets;

namespace Threshold.Paillier;

/// <summary>
/// The owner's side of ring-Pedersen parameters: the trapdoor λ with s = t^λ mod N̂ (the witness of
/// Πprm) and the factorisation, which lets the owner verify commitments by CRT. In CGGMP21's aux-info
/// (Fig. 6) N̂ is the party's own Paillier modulus.
/// </summary>
public sealed class RingPedersenSecret : IDisposable
{
    private readonly PaillierSecretKey factors;
    private readonly SecretBigInteger lambda;
    private bool disposed;

    private RingPedersenSecret(PaillierSecretKey factors, BigInteger lambda, RingPedersenParameters parameters)
    {
        this.factors = factors;
        this.lambda = new(lambda);
        Parameters = parameters;
    }

    /// <summary>The public parameters (N̂, s, t).</summary>
    public RingPedersenParameters Parameters { get; }

    /// <summary>The trapdoor λ ∈ Z_φ(N̂), secret.</summary>
    public BigInteger Lambda
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return lambda.Value;
        }
    }

    /// <summary>φ(N̂), secret (Πprm's prover works modulo it).</summary>
    public BigInteger Phi => factors.Phi;

    /// <summary>
    /// Samples (s, t) over the modulus of <paramref name="key"/>: t = r² for r ← Z*_N̂, λ ← Z_φ(N̂),
    /// s = t^λ. The key is borrowed, not owned: dispose it separately.
    /// </summary>
    public static RingPedersenSecret Generate(PaillierSecretKey key, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(key);
        var a = key.PublicKey.Arithmetic;
        var n = key.N;
        var r = Sampling.Unit(rng, n, a);
        var t = a.ModMul(r, r, n);
        var lambda = Sampling.Below(rng, key.Phi);
        var s = key.PowModN(t, lambda);
        return new RingPedersenSecret(key, lambda, new RingPedersenParameters(n, s, t, a));
    }

    /// <summary>
    /// Restores stored parameters over the modulus of <paramref name="key"/>, checking s = t^λ. The key
    /// is borrowed, not owned.
    /// </summary>
    /// <exception cref="ArgumentException">The values do not form ring-Pedersen parameters with this trapdoor.</exception>
    public static RingPedersenSecret Restore(PaillierSecretKey key, BigInteger lambda, BigInteger s, BigInteger t)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = new RingPedersenParameters(key.N, s, t, key.PublicKey.Arithmetic);
        if (lambda.Sign < 0 || lambda >= key.Phi || key.PowModN(t, lambda) != s)
        {
            throw new ArgumentException("the trapdoor does not relate s and t");
        }

        return new RingPedersenSecret(key, lambda, parameters);
    }

    /// <summary>s^x · t^y mod N̂ by CRT: the same value as <see cref="RingPedersenParameters.Commit"/>, faster.</summary>
    public BigInteger Commit(BigInteger x, BigInteger y)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return factors.MultiExpModN(Parameters.S, x, Parameters.T, y);
    }

    /// <summary>a^x · b^y mod N̂ for units a, b, by CRT.</summary>
    public BigInteger MultiExp(BigInteger a, BigInteger x, BigInteger b, BigInteger y)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return factors.MultiExpModN(a, x, b, y);
    }

    /// <summary>Wipes λ (the borrowed Paillier key is disposed by its owner).</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            lambda.Dispose();
            disposed = true;
        }
    }

    /// <summary>Never shows the trapdoor.</summary>
    public override string ToString() => $"RingPedersenSecret({Parameters.N.GetBitLength()} bits, [secret])";
}
