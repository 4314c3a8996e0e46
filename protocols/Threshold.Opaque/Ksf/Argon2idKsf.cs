// Argon2id (RFC 9106) through NSec.Cryptography (over libsodium's crypto_pwhash_argon2id, version 0x13) as
// the OPAQUE KSF of RFC 9807 §7: salt S = zeroes(16), tag length T = Nh, no secret K or associated data X.
// NSec and libsodium compute one lane only (p = 1); see Argon2idProfile for what that changes. The outputs
// are those of the earlier binding to Debian's libsodium 1.0.18 (tests/…/Vectors/argon2id-continuity.json).
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Threshold.Opaque.Ksf;

/// <summary>
/// A named Argon2id parameter set. NSec (libsodium) fixes the parallelism p at 1, so none of these equals
/// RFC 9807's recommended Argon2id(p = 4) bit for bit: the tag differs whenever p differs, and a
/// deployment must keep one profile for the lifetime of its records.
/// </summary>
/// <param name="Name">Profile name ("rfc9807", "low-memory", "interactive", "test").</param>
/// <param name="Iterations">t, the number of passes (NSec's NumberOfPasses, libsodium's opslimit).</param>
/// <param name="MemoryKiB">m, memory in KiB (NSec's MemorySize; libsodium's memlimit is m·1024 bytes).</param>
public sealed record Argon2idProfile(string Name, int Iterations, int MemoryKiB)
{
    /// <summary>
    /// RFC 9807 §7's recommendation (RFC 9106 §4 first option) with p = 1: t = 1, m = 2^21 KiB (2 GiB).
    /// The default. About two seconds and 2 GiB of memory per stretch on a server-class core.
    /// </summary>
    public static Argon2idProfile Rfc9807 { get; } = new("rfc9807", 1, 1 << 21);

    /// <summary>RFC 9106 §4's second option for memory-constrained settings, with p = 1: t = 3, m = 2^16 KiB (64 MiB).</summary>
    public static Argon2idProfile LowMemory { get; } = new("low-memory", 3, 1 << 16);

    /// <summary>A light interactive setting (OWASP's minimum for Argon2id): t = 2, m = 19 MiB.</summary>
    public static Argon2idProfile Interactive { get; } = new("interactive", 2, 19 * 1024);

    /// <summary>For tests only: t = 1, m = 64 KiB. Offers no real resistance to guessing.</summary>
    public static Argon2idProfile Test { get; } = new("test", 1, 64);

    /// <summary>Parallelism: always 1 with NSec (libsodium).</summary>
    public int Parallelism => 1;
}

/// <summary>Argon2id through NSec (RFC 9106, version 0x13), with a zero salt as RFC 9807 §7 specifies.</summary>
public sealed class Argon2idKsf : IKeyStretchingFunction
{
    private const int MinimumOutput = 16;

    // RFC 9807 §7's zeroes(16), which is also the only salt length libsodium's Argon2id accepts.
    private const int SaltLength = 16;

    private readonly Argon2id algorithm;

    /// <summary>Argon2id with <paramref name="profile"/> (default <see cref="Argon2idProfile.Rfc9807"/>).</summary>
    public Argon2idKsf(Argon2idProfile? profile = null)
    {
        Profile = profile ?? Argon2idProfile.Rfc9807;
        if (Profile.Iterations < 1 || Profile.MemoryKiB < 8)
        {
            throw new ArgumentException("Argon2id needs t ≥ 1 and m ≥ 8 KiB", nameof(profile));
        }

        var parameters = new Argon2Parameters
        {
            DegreeOfParallelism = Profile.Parallelism,
            MemorySize = Profile.MemoryKiB,
            NumberOfPasses = Profile.Iterations,
        };
        algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(in parameters);
    }

    /// <summary>The parameters.</summary>
    public Argon2idProfile Profile { get; }

    /// <inheritdoc />
    public string Name => $"argon2id(t={Profile.Iterations},m={Profile.MemoryKiB}KiB,p={Profile.Parallelism})";

    /// <inheritdoc />
    /// <exception cref="CryptographicException">libsodium ran out of memory.</exception>
    public SecretBytes Stretch(ReadOnlySpan<byte> input, int outputLength)
    {
        // At least 16 bytes: below that NSec would truncate a 16-byte tag, which is not Argon2id's T-byte tag.
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, MinimumOutput);
        var output = SecretBytes.Allocate(outputLength);
        Span<byte> salt = stackalloc byte[SaltLength];
        salt.Clear();
        try
        {
            // Written straight into the pinned secret; libsodium wipes its own memory blocks on exit.
            algorithm.DeriveBytes(input, salt, output.Writable);
            return output;
        }
        catch (CryptographicException e)
        {
            // NSec's report of a failed crypto_pwhash_argon2id (the memory could not be had).
            output.Dispose();
            throw new CryptographicException(
                $"Argon2id ({Profile.Name}) failed: libsodium could not allocate {Profile.MemoryKiB} KiB", e);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
