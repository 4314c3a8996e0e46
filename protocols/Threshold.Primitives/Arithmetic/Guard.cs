using System.Numerics;

namespace Threshold.Arithmetic;

/// <summary>Argument checks shared by the backends (GMP aborts the process on a zero modulus).</summary>
internal static class Guard
{
    public static void Modulus(BigInteger modulus)
    {
        if (modulus.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(modulus), "modulus must be positive");
        }
    }

    public static void OddModulus(BigInteger modulus)
    {
        if (modulus.Sign <= 0 || modulus.IsEven)
        {
            throw new ArgumentOutOfRangeException(nameof(modulus), "modulus must be positive and odd");
        }
    }

    public static void NonNegative(BigInteger value, string name)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(name, "must not be negative");
        }
    }
}
