using System.Numerics;

namespace Threshold.Paillier;

/// <summary>
/// A Paillier ciphertext, known to lie in Z*_{N²} of the key it was made or validated under. Obtain
/// one from <see cref="PaillierPublicKey.Encrypt(BigInteger, BigInteger)"/>, a homomorphic operation, or
/// <see cref="PaillierPublicKey.Validate"/> for values from the network.
/// </summary>
public sealed class PaillierCiphertext : IEquatable<PaillierCiphertext>
{
    internal PaillierCiphertext(BigInteger value) => Value = value;

    /// <summary>The ciphertext as an integer in [1, N²).</summary>
    public BigInteger Value { get; }

    /// <inheritdoc />
    public bool Equals(PaillierCiphertext? other) => other is not null && other.Value == Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PaillierCiphertext);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"PaillierCiphertext({Value.GetBitLength()} bits)";
}
