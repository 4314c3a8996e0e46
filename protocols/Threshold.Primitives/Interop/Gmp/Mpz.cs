using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Threshold.Interop.Gmp;

/// <summary>
/// One GMP integer (mpz_t) in unmanaged memory. Its limbs are wiped when GMP frees them (see the
/// allocators in <see cref="GmpNative"/>); the handle frees the mpz_t itself.
/// </summary>
internal sealed unsafe class Mpz : SafeHandle
{
    private const int StackLimit = 1024;

    public Mpz()
        : base(IntPtr.Zero, ownsHandle: true)
    {
        var z = (IntPtr)NativeMemory.AllocZeroed(GmpNative.MpzStructSize);
        GmpNative.Init(z);
        SetHandle(z);
    }

    public Mpz(BigInteger value)
        : this() => Set(value);

    public override bool IsInvalid => handle == IntPtr.Zero;

    public IntPtr Ptr => handle;

    /// <summary>The sign of the value, read from mpz_t._mp_size.</summary>
    public int Sign => Math.Sign(((int*)handle)[1]);

    public void Set(BigInteger value)
    {
        var magnitude = BigInteger.Abs(value);
        var length = magnitude.GetByteCount(isUnsigned: true);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            magnitude.TryWriteBytes(buffer, out var written, isUnsigned: true, isBigEndian: false);
            fixed (byte* p = buffer)
            {
                GmpNative.Import(handle, (nuint)written, -1, 1, 0, 0, p);
            }

            if (value.Sign < 0)
            {
                GmpNative.Negate(handle, handle);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public BigInteger ToBigInteger()
    {
        var sign = Sign;
        if (sign == 0)
        {
            return BigInteger.Zero;
        }

        var length = (int)((GmpNative.SizeInBase(handle, 2) + 7) / 8);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            nuint count;
            fixed (byte* p = buffer)
            {
                GmpNative.Export(p, &count, -1, 1, 0, 0, handle);
            }

            var magnitude = new BigInteger(buffer[..(int)count], isUnsigned: true, isBigEndian: false);
            return sign < 0 ? -magnitude : magnitude;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        GmpNative.Clear(handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
