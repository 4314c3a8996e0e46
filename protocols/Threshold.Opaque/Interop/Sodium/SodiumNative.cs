// P/Invoke surface of libsodium for the ristretto255 group (RFC 9496 through crypto_core_ristretto255_*
// and crypto_scalarmult_ristretto255*), the one part of libsodium that NSec.Cryptography does not wrap.
// The library bound is the one NSec brings (libsodium 1.0.22 from the libsodium package's
// runtimes/<rid>/native), found through NSec's assembly: no system libsodium is needed, and none can be
// picked up instead, because Library is a logical name that only Resolve knows. The only native calls in
// this assembly; Argon2id goes through NSec's own API (Ksf/Argon2idKsf.cs).
// Sizes: ristretto255 elements and scalars are 32 bytes, the one-way map input 64 bytes.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Threshold.Opaque.Interop.Sodium;

internal static unsafe partial class SodiumNative
{
    /// <summary>The logical library name of the imports below; <see cref="Resolve"/> binds it to NSec's libsodium.</summary>
    internal const string Library = "libsodium of NSec.Cryptography";

    /// <summary>crypto_core_ristretto255_BYTES and _SCALARBYTES.</summary>
    internal const int RistrettoBytes = 32;

    /// <summary>crypto_core_ristretto255_HASHBYTES (input of the one-way map).</summary>
    internal const int RistrettoHashBytes = 64;

    /// <summary>crypto_core_ristretto255_NONREDUCEDSCALARBYTES (input of scalar_reduce).</summary>
    internal const int NonReducedScalarBytes = 64;

    // The handle of NSec's libsodium (IntPtr.Zero when it cannot be loaded). Separate from Loaded, because
    // Resolve runs while Load calls sodium_init for the first time.
    private static readonly Lazy<IntPtr> Handle = new(LoadNSecLibrary);

    private static readonly Lazy<string?> Loaded = new(Load);

    // An explicit static constructor runs before any import below is first bound, so the resolver is in place.
    static SodiumNative() => NativeLibrary.SetDllImportResolver(typeof(SodiumNative).Assembly, Resolve);

    /// <summary>Whether libsodium could be loaded and initialised.</summary>
    internal static bool IsAvailable => Loaded.Value is null;

    /// <summary>libsodium's version string, or null when absent.</summary>
    internal static string? Version { get; private set; }

    /// <summary>Loads and initialises libsodium once; throws a message that says what is missing.</summary>
    internal static void EnsureInitialized()
    {
        if (Loaded.Value is { } failure)
        {
            throw new DllNotFoundException(failure);
        }
    }

    private static string? Load()
    {
        if (Handle.Value == IntPtr.Zero)
        {
            return "libsodium could not be loaded from NSec.Cryptography's package (the libsodium package's "
                + "runtimes/<rid>/native/ folder next to the application); is this runtime identifier supported?";
        }

        // sodium_init returns 0 on first success, 1 when already initialised (by NSec, say), -1 on failure.
        if (Init() < 0)
        {
            return "sodium_init failed";
        }

        Version = Marshal.PtrToStringAnsi(VersionString());
        return null;
    }

    private static IntPtr LoadNSecLibrary() =>
        NativeLibrary.TryLoad("libsodium", typeof(NSec.Cryptography.Key).Assembly, null, out var handle) ? handle : IntPtr.Zero;

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Library ? Handle.Value : IntPtr.Zero;

    [LibraryImport(Library, EntryPoint = "sodium_init")]
    private static partial int Init();

    [LibraryImport(Library, EntryPoint = "sodium_version_string")]
    private static partial IntPtr VersionString();

    // ---- ristretto255 elements (RFC 9496 §4) ----

    /// <summary>1 when p is the canonical encoding of an element (the identity included), else 0.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_is_valid_point")]
    internal static partial int IsValidPoint(byte* p);

    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_add")]
    internal static partial int Add(byte* r, byte* p, byte* q);

    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_sub")]
    internal static partial int Subtract(byte* r, byte* p, byte* q);

    /// <summary>The one-way map of RFC 9496 §4.3.4 over 64 uniform bytes.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_from_hash")]
    internal static partial int FromHash(byte* p, byte* r);

    /// <summary>q = n·p; -1 when p is invalid or the result is the identity.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_scalarmult_ristretto255")]
    internal static partial int ScalarMult(byte* q, byte* n, byte* p);

    /// <summary>q = n·B; -1 when the result is the identity (n ≡ 0).</summary>
    [LibraryImport(Library, EntryPoint = "crypto_scalarmult_ristretto255_base")]
    internal static partial int ScalarMultBase(byte* q, byte* n);

    // ---- ristretto255 scalars modulo ℓ = 2^252 + 27742317777372353535851937790883648493 ----

    /// <summary>recip = s⁻¹ mod ℓ; -1 when s is zero.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_scalar_invert")]
    internal static partial int ScalarInvert(byte* recip, byte* s);

    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_scalar_negate")]
    internal static partial void ScalarNegate(byte* neg, byte* s);

    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_scalar_add")]
    internal static partial void ScalarAdd(byte* z, byte* x, byte* y);

    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_scalar_sub")]
    internal static partial void ScalarSubtract(byte* z, byte* x, byte* y);

    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_scalar_mul")]
    internal static partial void ScalarMultiply(byte* z, byte* x, byte* y);

    /// <summary>r = s mod ℓ for a 64-byte little-endian s.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_core_ristretto255_scalar_reduce")]
    internal static partial void ScalarReduce(byte* r, byte* s);
}
