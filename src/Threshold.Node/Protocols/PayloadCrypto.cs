using System.Security.Cryptography;

namespace Threshold.Node.Protocols;

/// <summary>
/// Encrypts the payload of a direct protocol message to its recipient node, so the aggregator relaying it
/// learns nothing: ephemeral ECDH P-256 with the recipient's agreement key, HKDF-SHA256, AES-256-GCM, with
/// the message's binding (protocol, session, round, sender, recipient) as associated data. The message
/// signature still covers the plaintext, which the recipient restores before checking it.
/// </summary>
internal static class PayloadCrypto
{
    private const int PublicKeyLength = 65;
    private const int TagLength = 16;
    private static readonly byte[] Info = "threshold.payload.v1"u8.ToArray();

    public static byte[] Seal(byte[] recipientSubjectPublicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        using var recipient = ECDiffieHellman.Create();
        recipient.ImportSubjectPublicKeyInfo(recipientSubjectPublicKey, out _);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ephemeral.ExportParameters(false);
        var ephemeralPoint = new byte[PublicKeyLength];
        ephemeralPoint[0] = 4;
        parameters.Q.X!.CopyTo(ephemeralPoint, 1);
        parameters.Q.Y!.CopyTo(ephemeralPoint, 33);
        var key = DeriveKey(ephemeral, recipient.PublicKey, ephemeralPoint);
        try
        {
            var output = new byte[PublicKeyLength + plaintext.Length + TagLength];
            ephemeralPoint.CopyTo(output, 0);
            using var aes = new AesGcm(key, TagLength);
            aes.Encrypt(new byte[12], plaintext, output.AsSpan(PublicKeyLength, plaintext.Length), output.AsSpan(output.Length - TagLength), associatedData);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <exception cref="DecodingException">The sealed payload is malformed or does not authenticate.</exception>
    public static byte[] Open(ECDiffieHellman own, ReadOnlySpan<byte> sealedPayload, ReadOnlySpan<byte> associatedData)
    {
        if (sealedPayload.Length < PublicKeyLength + TagLength || sealedPayload[0] != 4)
        {
            throw new DecodingException(DecodingError.Malformed, "sealed payload");
        }

        byte[] key;
        try
        {
            using var sender = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = sealedPayload[1..33].ToArray(), Y = sealedPayload[33..65].ToArray() },
            });
            key = DeriveKey(own, sender.PublicKey, sealedPayload[..PublicKeyLength].ToArray());
        }
        catch (CryptographicException)
        {
            throw new DecodingException(DecodingError.NotOnCurve, "sealed payload key");
        }

        try
        {
            var ciphertext = sealedPayload[PublicKeyLength..^TagLength];
            var plaintext = new byte[ciphertext.Length];
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(new byte[12], ciphertext, sealedPayload[^TagLength..], plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new DecodingException(DecodingError.Malformed, "sealed payload");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    // A fresh ephemeral key per message makes the all-zero nonce safe: each key encrypts once.
    private static byte[] DeriveKey(ECDiffieHellman own, ECDiffieHellmanPublicKey other, byte[] ephemeralPoint)
    {
        var shared = own.DeriveRawSecretAgreement(other);
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, ephemeralPoint, Info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }
}
