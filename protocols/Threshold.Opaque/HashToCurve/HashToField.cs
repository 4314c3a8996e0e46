// RFC 9380 §5.2 hash_to_field for m = 1 over 256-bit prime fields, with expand_message_xmd (§5.3.1).
using System.Security.Cryptography;

namespace Threshold.Opaque.HashToCurve;

/// <summary>hash_to_field(msg, count): count field elements, each from L uniform bytes reduced mod p.</summary>
internal static class HashToField
{
    /// <summary>L = ceil((ceil(log2(p)) + k) / 8) = 48 for 256-bit primes at k = 128 security.</summary>
    internal const int ElementBytes = 48;

    internal static FieldElement[] Hash(PrimeField256 field, HashAlgorithmName hash, ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, int count)
    {
        var uniform = new byte[count * ElementBytes];
        try
        {
            ExpandMessageXmd.Expand(hash, message, dst, uniform);
            var elements = new FieldElement[count];
            for (var i = 0; i < count; i++)
            {
                // e_i = OS2IP(substr(uniform_bytes, L·i, L)) mod p
                elements[i] = field.FromBigEndian(uniform.AsSpan(i * ElementBytes, ElementBytes));
            }

            return elements;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(uniform);
        }
    }
}
