using System.Numerics;
using System.Runtime.CompilerServices;

namespace Threshold.Secrets;

/// <summary>
/// Wipes the limbs of a <see cref="BigInteger"/> in place. BigInteger is immutable and its limb array
/// is shared by every copy of the struct, so secret holders first take a <see cref="Copy"/> with limbs
/// of their own and wipe only that. Values that fit in 31 bits live in the struct itself and cannot be
/// wiped (no secret here is that small). Intermediate results of arithmetic are not wiped: that is the
/// limit of managed big integers, and why the heavy secret arithmetic runs in GMP.
/// </summary>
internal static class BigIntegerMemory
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_bits")]
    private static extern ref uint[]? Limbs(ref BigInteger value);

    /// <summary>A copy with limbs of its own, so wiping it leaves the original alone.</summary>
    public static BigInteger Copy(BigInteger value)
    {
        var length = value.GetByteCount();
        var buffer = length <= 1024 ? stackalloc byte[length] : new byte[length];
        try
        {
            value.TryWriteBytes(buffer, out _);
            return new BigInteger(buffer);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);
        }
    }

    public static void Clear(ref BigInteger value)
    {
        var limbs = Limbs(ref value);
        if (limbs is not null)
        {
            Array.Clear(limbs);
        }

        value = BigInteger.Zero;
    }
}
