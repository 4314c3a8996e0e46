// The Element and Scalar of RFC 9497 §2.1 for ristretto255: an element is its 32-byte RFC 9496 encoding,
// a scalar 32 little-endian bytes in a pinned array that is wiped on dispose.
using System.Security.Cryptography;

namespace Threshold.Opaque.Groups;

/// <content>The value types of <see cref="Ristretto255Group"/>.</content>
public sealed partial class Ristretto255Group
{
    /// <summary>A ristretto255 element held as its canonical encoding (all zeros for the identity).</summary>
    private sealed class RistrettoElement(Ristretto255Group group, byte[] encoded) : GroupElement
    {
        public byte[] Encoded { get; } = encoded;

        public override IOprfGroup Group => group;

        public override bool IsIdentity => IsAllZero(Encoded);

        public override byte[] Serialize() => IsIdentity
            ? throw new InvalidOperationException("the identity is never serialised")
            : (byte[])Encoded.Clone();
    }

    /// <summary>A ristretto255 scalar: 32 little-endian bytes in a pinned array, wiped on dispose.</summary>
    internal sealed class RistrettoScalar(Ristretto255Group group) : GroupScalar
    {
        public byte[] Bytes { get; } = GC.AllocateArray<byte>(Length, pinned: true);

        public override IOprfGroup Group => group;

        public override bool IsZero
        {
            get
            {
                ThrowIfDisposed();
                return IsAllZero(Bytes);
            }
        }

        public RistrettoScalar Checked()
        {
            ThrowIfDisposed();
            return this;
        }

        public override SecretBytes Serialize()
        {
            ThrowIfDisposed();
            return new SecretBytes(Bytes);
        }

        private protected override void Wipe() => CryptographicOperations.ZeroMemory(Bytes);
    }
}
