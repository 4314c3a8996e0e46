using System.Security.Cryptography;
using Threshold.Storage.Internal;

namespace Threshold.Storage.Sealing;

/// <summary>
/// AES-256-GCM sealing under keys derived from the node's <see cref="StorageKey"/> with HKDF-SHA-256
/// (separate keys for sealing, inventory tags and the key id). A sealed value is
/// <c>format(1) ‖ key-id length(1) ‖ key id(8) ‖ nonce(12) ‖ ciphertext ‖ tag(16)</c>; the associated
/// data is the canonical encoding of the header and the <see cref="RecordBinding"/>. Nonces are
/// random (96 bits), which keeps the collision risk negligible for well under 2^32 seals per key.
/// </summary>
public sealed class AesGcmRecordSealer : IRecordSealer, IDisposable
{
    private const byte Format = 1;
    private const int KeyIdSize = 8;
    private const int HeaderSize = 2 + KeyIdSize;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] sealKey = GC.AllocateArray<byte>(32, pinned: true);
    private readonly byte[] tagKey = GC.AllocateArray<byte>(32, pinned: true);
    private readonly byte[] header = new byte[HeaderSize];
    private bool disposed;

    /// <summary>Derives the sealing keys from <paramref name="key"/> (which the caller keeps and disposes).</summary>
    public AesGcmRecordSealer(StorageKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Bytes, sealKey, [], "threshold.storage.aead.v1"u8);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Bytes, tagKey, [], "threshold.storage.inventory.v1"u8);
        header[0] = Format;
        header[1] = KeyIdSize;
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Bytes, header.AsSpan(2), [], "threshold.storage.key-id.v1"u8);
        KeyId = Convert.ToHexStringLower(header.AsSpan(2));
    }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <inheritdoc />
    public byte[] Seal(in RecordBinding binding, ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var output = new byte[HeaderSize + NonceSize + plaintext.Length + TagSize];
        header.CopyTo(output, 0);
        var nonce = output.AsSpan(HeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(sealKey, TagSize);
        gcm.Encrypt(
            nonce,
            plaintext,
            output.AsSpan(HeaderSize + NonceSize, plaintext.Length),
            output.AsSpan(HeaderSize + NonceSize + plaintext.Length, TagSize),
            AssociatedData(header, binding));
        return output;
    }

    /// <inheritdoc />
    public bool TryOpen(in RecordBinding binding, ReadOnlySpan<byte> sealedValue, out byte[] plaintext)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        plaintext = [];
        if (sealedValue.Length < HeaderSize + NonceSize + TagSize || !sealedValue[..HeaderSize].SequenceEqual(header))
        {
            return false;
        }

        var length = sealedValue.Length - HeaderSize - NonceSize - TagSize;
        var output = new byte[length];
        try
        {
            using var gcm = new AesGcm(sealKey, TagSize);
            gcm.Decrypt(
                sealedValue.Slice(HeaderSize, NonceSize),
                sealedValue.Slice(HeaderSize + NonceSize, length),
                sealedValue[^TagSize..],
                output,
                AssociatedData(header, binding));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = output;
        return true;
    }

    /// <inheritdoc />
    public void ComputeTag(ReadOnlySpan<byte> message, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        HMACSHA256.HashData(tagKey, message, tag);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(sealKey);
        CryptographicOperations.ZeroMemory(tagKey);
        disposed = true;
    }

    /// <summary>Names the key id only.</summary>
    public override string ToString() => $"AES-256-GCM sealer (key {KeyId})";

    private static byte[] AssociatedData(byte[] header, in RecordBinding binding) =>
        new CanonicalWriter("threshold.storage.seal.v1")
            .Bytes(header)
            .Byte((byte)binding.Kind)
            .String(binding.Table)
            .String(binding.Id)
            .String(binding.Owner)
            .Int64(binding.Version)
            .ToArray();
}
