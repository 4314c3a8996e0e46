// The multi-server client's single export_key. Each pairwise OPAQUE run yields its own export_key_i
// (RFC 9807 §6.2.3), different at every node. At registration the client draws a secret K, splits it
// t-of-n with Shamir's scheme over the P-256 scalar field, and seals share i under a key derived from
// export_key_i (AES-256-GCM, RFC 5116); node i stores the sealed share next to its record. At login,
// each node that authenticates returns its sealed share; only the password holder can open it, and any
// t shares give back K. The client's export_key is HKDF(K, user id).
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Threshold.Curves;
using Threshold.Opaque.Cluster;
using Threshold.Secrets;

namespace Threshold.Opaque.Client;

/// <summary>Where a sealed share belongs: bound into its associated data so it cannot be moved.</summary>
internal sealed record ShareContext(OpaqueSuite Suite, UserId UserId, string NodeId, int Index, int Threshold, int Count);

/// <summary>An opened share: the registration it came from and its Shamir value.</summary>
internal sealed record OpenedShare(int Index, byte[] RegistrationId, SecretScalar Value);

/// <summary>Shamir sharing of the client secret K and sealing of the shares (see the file header).</summary>
internal static class ExportKeySharing
{
    /// <summary>Length of a registration id.</summary>
    public const int RegistrationIdLength = 16;

    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int PlaintextLength = RegistrationIdLength + Scalar.EncodedLength;

    /// <summary>version(1) || nonce(12) || AES-256-GCM(registration_id(16) || share(32)) || tag(16).</summary>
    public const int SealedLength = 1 + NonceLength + PlaintextLength + TagLength;

    private static readonly Curve Field = Curve.P256;

    /// <summary>A fresh secret K, uniform and non-zero modulo the P-256 order.</summary>
    public static SecretScalar NewSecret(RandomNumberGenerator rng) => SecretScalar.Random(Field, rng);

    /// <summary>Shares f(1), …, f(n) of a random polynomial f of degree t − 1 with f(0) = K.</summary>
    public static SecretScalar[] Split(SecretScalar secret, int threshold, int count, RandomNumberGenerator rng)
    {
        var coefficients = new SecretScalar[threshold];
        coefficients[0] = new SecretScalar(secret.Value);
        for (var k = 1; k < threshold; k++)
        {
            coefficients[k] = SecretScalar.Random(Field, rng);
        }

        try
        {
            var shares = new SecretScalar[count];
            for (var i = 1; i <= count; i++)
            {
                // Horner: f(i) = (((a_{t-1})·i + a_{t-2})·i + …) + a_0
                var x = Scalar.FromValue(Field, i);
                var value = coefficients[threshold - 1].Value;
                for (var k = threshold - 2; k >= 0; k--)
                {
                    value = (value * x) + coefficients[k].Value;
                }

                shares[i - 1] = new SecretScalar(value);
            }

            return shares;
        }
        finally
        {
            foreach (var c in coefficients)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>K = Σ λ_i·f(i) with Lagrange coefficients at 0 over the given distinct indices.</summary>
    public static SecretScalar Combine(IReadOnlyList<OpenedShare> shares)
    {
        var sum = Scalar.Zero(Field);
        foreach (var share in shares)
        {
            var numerator = Scalar.One(Field);
            var denominator = Scalar.One(Field);
            foreach (var other in shares)
            {
                if (other.Index != share.Index)
                {
                    numerator *= Scalar.FromValue(Field, other.Index);
                    denominator *= Scalar.FromValue(Field, other.Index - share.Index);
                }
            }

            sum += share.Value.Value * numerator * denominator.Invert();
        }

        return new SecretScalar(sum);
    }

    /// <summary>Seals a share under a key derived from the node's export_key.</summary>
    public static byte[] Seal(ShareContext context, SecretBytes nodeExportKey, ReadOnlySpan<byte> registrationId, SecretScalar share, RandomNumberGenerator rng)
    {
        var sealedShare = new byte[SealedLength];
        sealedShare[0] = Version;
        var nonce = sealedShare.AsSpan(1, NonceLength);
        rng.GetBytes(nonce);
        Span<byte> plaintext = stackalloc byte[PlaintextLength];
        Span<byte> key = stackalloc byte[32];
        try
        {
            registrationId.CopyTo(plaintext);
            share.Value.WriteTo(plaintext[RegistrationIdLength..]);
            DeriveKey(context.Suite, nodeExportKey, key);
            using var aead = new AesGcm(key, TagLength);
            aead.Encrypt(
                nonce, plaintext, sealedShare.AsSpan(1 + NonceLength, PlaintextLength), sealedShare.AsSpan(1 + NonceLength + PlaintextLength), AssociatedData(context));
            return sealedShare;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Opens a sealed share; null when it was not sealed for this context under this export key.</summary>
    public static OpenedShare? TryOpen(ShareContext context, SecretBytes nodeExportKey, ReadOnlySpan<byte> sealedShare)
    {
        if (sealedShare.Length != SealedLength || sealedShare[0] != Version)
        {
            return null;
        }

        Span<byte> plaintext = stackalloc byte[PlaintextLength];
        Span<byte> key = stackalloc byte[32];
        try
        {
            DeriveKey(context.Suite, nodeExportKey, key);
            using var aead = new AesGcm(key, TagLength);
            try
            {
                aead.Decrypt(
                    sealedShare.Slice(1, NonceLength), sealedShare.Slice(1 + NonceLength, PlaintextLength),
                    sealedShare.Slice(1 + NonceLength + PlaintextLength), plaintext, AssociatedData(context));
            }
            catch (AuthenticationTagMismatchException)
            {
                return null;
            }

            // The share was produced by this client's Split, so it is canonical.
            var value = Scalar.Decode(Field, plaintext[RegistrationIdLength..], "export_share");
            return new OpenedShare(context.Index, plaintext[..RegistrationIdLength].ToArray(), new SecretScalar(value));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The client's export_key = HKDF-Expand(HKDF-Extract("threshold.opaque.export_key.v1", K), user id, Nh).</summary>
    public static SecretBytes DeriveClientExportKey(OpaqueSuite suite, UserId userId, SecretScalar secret)
    {
        Span<byte> k = stackalloc byte[Scalar.EncodedLength];
        try
        {
            secret.Value.WriteTo(k);
            using var prk = suite.Extract("threshold.opaque.export_key.v1"u8, k);
            return suite.Expand(prk.Span, userId.ToBytes(), suite.HashLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
        }
    }

    /// <summary>Fake sealed share for an unknown user: as long as a real one, constant per user and node.</summary>
    internal static byte[] Fake(OpaqueSuite suite, SecretBytes fakeKey, UserId userId)
    {
        using var prk = suite.Extract("threshold.opaque.fake_export_share.v1"u8, fakeKey.Span);
        using var bytes = suite.Expand(prk.Span, userId.ToBytes(), SealedLength);
        var fake = bytes.Span.ToArray();
        fake[0] = Version;
        return fake;
    }

    private static void DeriveKey(OpaqueSuite suite, SecretBytes nodeExportKey, Span<byte> key)
    {
        using var expanded = suite.Expand(nodeExportKey.Span, "threshold.opaque.export_share.key.v1"u8, key.Length);
        expanded.CopyTo(key);
    }

    private static byte[] AssociatedData(ShareContext context)
    {
        var suiteName = Encoding.ASCII.GetBytes(context.Suite.Name);
        var nodeId = Encoding.UTF8.GetBytes(context.NodeId);
        var user = context.UserId.ToBytes();
        var data = new List<byte>();
        data.AddRange("threshold.opaque.export_share.v1"u8.ToArray());
        foreach (var part in new[] { suiteName, user, nodeId })
        {
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, checked((ushort)part.Length));
            data.AddRange(length);
            data.AddRange(part);
        }

        data.Add(checked((byte)context.Index));
        data.Add(checked((byte)context.Threshold));
        data.Add(checked((byte)context.Count));
        return [.. data];
    }
}
