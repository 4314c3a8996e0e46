// Argon2id (RFC 9106) through libsodium's crypto_pwhash (alg crypto_pwhash_ALG_ARGON2ID13 = 2) as the
// OPAQUE KSF of RFC 9807 §7: salt S = zeroes(16), tag length T = Nh, version 0x13, no secret K or data X.
// libsodium computes one lane only (p = 1); see Argon2idProfile for what that changes.
using System.Security.Cryptography;
using Threshold.Opaque.Interop.Sodium;

namespace Threshold.Opaque.Ksf;

/// <summary>
/// A named Argon2id parameter set. libsodium fixes the parallelism p at 1, so none of these equals
/// RFC 9807's recommended Argon2id(p = 4) bit for bit: the tag differs whenever p differs, and a
/// deployment must keep one profile for the lifetime of its records.
/// </summary>
/// <param name="Name">Profile name ("rfc9807", "low-memory", "interactive", "test").</param>
/// <param name="Iterations">t, the number of passes (libsodium's opslimit).</param>
/// <param name="MemoryKiB">m, memory in KiB (libsodium's memlimit is m·1024 bytes).</param>
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

    /// <summary>Parallelism: always 1 with libsodium.</summary>
    public int Parallelism => 1;
}

/// <summary>Argon2id through libsodium (RFC 9106, version 0x13), with a zero salt as RFC 9807 §7 specifies.</summary>
public sealed unsafe class Argon2idKsf : IKeyStretchingFunction
{
    private const int MinimumOutput = 16;

    /// <summary>Argon2id with <paramref name="profile"/> (default <see cref="Argon2idProfile.Rfc9807"/>).</summary>
    public Argon2idKsf(Argon2idProfile? profile = null)
    {
        Profile = profile ?? Argon2idProfile.Rfc9807;
        if (Profile.Iterations < 1 || Profile.MemoryKiB < 8)
        {
            throw new ArgumentException("Argon2id needs t ≥ 1 and m ≥ 8 KiB", nameof(profile));
        }
    }

    /// <summary>The parameters.</summary>
    public Argon2idProfile Profile { get; }

    /// <inheritdoc />
    public string Name => $"argon2id(t={Profile.Iterations},m={Profile.MemoryKiB}KiB,p={Profile.Parallelism})";

    /// <inheritdoc />
    /// <exception cref="CryptographicException">libsodium refused the limits or ran out of memory.</exception>
    public SecretBytes Stretch(ReadOnlySpan<byte> input, int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, MinimumOutput);
        SodiumNative.EnsureInitialized();
        var output = SecretBytes.Allocate(outputLength);
        Span<byte> salt = stackalloc byte[SodiumNative.PwhashSaltBytes];
        salt.Clear();
        int status;
        fixed (byte* o = output.Writable)
        fixed (byte* p = input)
        fixed (byte* s = salt)
        {
            // crypto_pwhash copies nothing it does not wipe itself (it clears its memory blocks on exit).
            status = SodiumNative.PasswordHash(
                o, (ulong)outputLength, p, (ulong)input.Length, s, (ulong)Profile.Iterations, (nuint)Profile.MemoryKiB * 1024, SodiumNative.AlgArgon2id13);
        }

        if (status != 0)
        {
            output.Dispose();
            throw new CryptographicException($"Argon2id ({Profile.Name}) failed: libsodium refused the parameters or ran out of memory");
        }

        return output;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
