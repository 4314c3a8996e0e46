// scrypt (RFC 7914) through BouncyCastle as the OPAQUE KSF of RFC 9807 §7: S = zeroes(16), dkLen = Nh.
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;

namespace Threshold.Opaque.Ksf;

/// <summary>A named scrypt parameter set (RFC 7914 §2).</summary>
/// <param name="Name">Profile name ("rfc9807", "test").</param>
/// <param name="Cost">N, the CPU/memory cost (a power of two).</param>
/// <param name="BlockSize">r.</param>
/// <param name="Parallelism">p.</param>
public sealed record ScryptProfile(string Name, int Cost, int BlockSize, int Parallelism)
{
    /// <summary>RFC 9807 §7: N = 32768, r = 8, p = 1 (32 MiB). The default.</summary>
    public static ScryptProfile Rfc9807 { get; } = new("rfc9807", 32768, 8, 1);

    /// <summary>For tests only: N = 1024, r = 8, p = 1 (1 MiB).</summary>
    public static ScryptProfile Test { get; } = new("test", 1024, 8, 1);
}

/// <summary>scrypt with a zero salt (the OPRF key already acts as a secret per-user salt; RFC 9807 §10.8).</summary>
public sealed class ScryptKsf : IKeyStretchingFunction
{
    /// <summary>scrypt with <paramref name="profile"/> (default <see cref="ScryptProfile.Rfc9807"/>).</summary>
    public ScryptKsf(ScryptProfile? profile = null)
    {
        Profile = profile ?? ScryptProfile.Rfc9807;
        if (Profile.Cost < 2 || (Profile.Cost & (Profile.Cost - 1)) != 0 || Profile.BlockSize < 1 || Profile.Parallelism < 1)
        {
            throw new ArgumentException("scrypt needs N a power of two above 1, r ≥ 1 and p ≥ 1", nameof(profile));
        }
    }

    /// <summary>The parameters.</summary>
    public ScryptProfile Profile { get; }

    /// <inheritdoc />
    public string Name => $"scrypt(N={Profile.Cost},r={Profile.BlockSize},p={Profile.Parallelism})";

    /// <inheritdoc />
    public SecretBytes Stretch(ReadOnlySpan<byte> input, int outputLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, 1);
        var password = input.ToArray();
        byte[]? derived = null;
        try
        {
            derived = SCrypt.Generate(password, new byte[16], Profile.Cost, Profile.BlockSize, Profile.Parallelism, outputLength);
            return new SecretBytes(derived);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
            if (derived is not null)
            {
                CryptographicOperations.ZeroMemory(derived);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
