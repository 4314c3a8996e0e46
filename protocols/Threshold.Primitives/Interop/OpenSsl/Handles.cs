// SafeHandles over libcrypto objects. Each frees its object exactly once, when disposed or finalised;
// EC_POINT and BIGNUM are freed with their clearing variants (EC_POINT_clear_free, BN_clear_free), and the
// BN_CTX comes from the secure heap so its temporaries are wiped by OpenSSL when released.
using System.Runtime.InteropServices;

namespace Threshold.Interop.OpenSsl;

/// <summary>A libcrypto object owned by a SafeHandle; <see cref="Freed"/> records that its free function ran.</summary>
internal abstract class LibCryptoHandle : SafeHandle
{
    protected LibCryptoHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Whether the native object was released (for tests of the disposal paths).</summary>
    internal bool Freed { get; private set; }

    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        handle = IntPtr.Zero;
        Freed = true;
        return true;
    }

    protected abstract void Free(IntPtr native);

    /// <summary>Throws unless libcrypto returned an object.</summary>
    internal T Valid<T>(string function)
        where T : LibCryptoHandle
    {
        if (IsInvalid)
        {
            Dispose();
            LibCrypto.Check(false, function);
        }

        return (T)this;
    }
}

/// <summary>An EC_GROUP (EC_GROUP_free).</summary>
internal sealed class EcGroupHandle : LibCryptoHandle
{
    protected override void Free(IntPtr native) => LibCrypto.GroupFree(native);
}

/// <summary>An EC_POINT (EC_POINT_clear_free).</summary>
internal sealed class EcPointHandle : LibCryptoHandle
{
    protected override void Free(IntPtr native) => LibCrypto.PointClearFree(native);
}

/// <summary>A BIGNUM on the secure heap (BN_clear_free).</summary>
internal sealed class BigNumHandle : LibCryptoHandle
{
    protected override void Free(IntPtr native) => LibCrypto.BigNumClearFree(native);
}

/// <summary>A BN_CTX on the secure heap (BN_CTX_free).</summary>
internal sealed class BnCtxHandle : LibCryptoHandle
{
    protected override void Free(IntPtr native) => LibCrypto.ContextFree(native);
}
