using System.Security.Cryptography;

namespace Threshold.Storage.Sealing;

/// <summary>
/// The node's 256-bit storage key, from which the sealing and inventory keys are derived. Held in a
/// pinned buffer, wiped on <see cref="Dispose"/>, never printed.
/// </summary>
public sealed class StorageKey : IDisposable
{
    /// <summary>Key length in bytes.</summary>
    public const int Size = 32;

    private readonly byte[] key = GC.AllocateArray<byte>(Size, pinned: true);
    private bool disposed;

    private StorageKey()
    {
    }

    /// <summary>A fresh key from the operating system's CSPRNG.</summary>
    public static StorageKey Generate()
    {
        var result = new StorageKey();
        RandomNumberGenerator.Fill(result.key);
        return result;
    }

    /// <summary>A key holding a copy of <paramref name="bytes"/> (exactly <see cref="Size"/> bytes); the caller wipes its own copy.</summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Size"/>.</exception>
    public static StorageKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a storage key is {Size} bytes", nameof(bytes));
        }

        var result = new StorageKey();
        bytes.CopyTo(result.key);
        return result;
    }

    /// <summary>The key bytes (for key derivation inside this assembly).</summary>
    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return key;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(key);
        disposed = true;
    }

    /// <summary>Always "[storage key]".</summary>
    public override string ToString() => "[storage key]";
}
