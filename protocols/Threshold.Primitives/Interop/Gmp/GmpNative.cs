// P/Invoke surface of GNU MP (libgmp.so.10), the only native calls in this assembly.
// Every mpz_* function is exported as __gmpz_*. mpz_t on LP64 is { int alloc; int size; limb* d; }.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Threshold.Interop.Gmp;

internal static unsafe partial class GmpNative
{
    internal const string Library = "gmp";
    internal const int MpzStructSize = 16;

    private static readonly string[] Candidates =
        ["libgmp.so.10", "libgmp.so", "libgmp.10.dylib", "libgmp.dylib", "gmp"];

    private static readonly Lazy<bool> Loaded = new(Load);

    /// <summary>Whether libgmp could be loaded (and zeroizing allocators installed).</summary>
    internal static bool IsAvailable => Loaded.Value;

    /// <summary>GMP's version string (its <c>__gmp_version</c> variable), or null when not loaded.</summary>
    internal static string? Version { get; private set; }

    private static bool Load()
    {
        NativeLibrary.SetDllImportResolver(typeof(GmpNative).Assembly, Resolve);
        if (!TryLoad(out var library))
        {
            return false;
        }

        if (NativeLibrary.TryGetExport(library, "__gmp_version", out var version))
        {
            Version = Marshal.PtrToStringAnsi(*(IntPtr*)version);
        }

        // Route every GMP allocation, including its temporaries, through allocators that wipe
        // memory before it is returned, so no secret limb outlives its integer.
        SetMemoryFunctions(&Allocate, &Reallocate, &Free);
        return true;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Library && TryLoad(out var handle) ? handle : IntPtr.Zero;

    private static bool TryLoad(out IntPtr handle)
    {
        foreach (var candidate in Candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                return true;
            }
        }

        handle = IntPtr.Zero;
        return false;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Allocate(nuint size) => NativeMemory.Alloc(size);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void* Reallocate(void* old, nuint oldSize, nuint newSize)
    {
        var fresh = NativeMemory.Alloc(newSize);
        var keep = Math.Min(oldSize, newSize);
        Buffer.MemoryCopy(old, fresh, newSize, keep);
        Wipe(old, oldSize);
        NativeMemory.Free(old);
        return fresh;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void Free(void* block, nuint size)
    {
        Wipe(block, size);
        NativeMemory.Free(block);
    }

    private static void Wipe(void* block, nuint size)
    {
        // Blocks larger than 2 GiB do not occur for the sizes used here; clear in chunks anyway.
        var p = (byte*)block;
        while (size > 0)
        {
            var chunk = (int)Math.Min(size, (nuint)int.MaxValue);
            CryptographicOperations.ZeroMemory(new Span<byte>(p, chunk));
            p += chunk;
            size -= (nuint)chunk;
        }
    }

    [LibraryImport(Library, EntryPoint = "__gmp_set_memory_functions")]
    private static partial void SetMemoryFunctions(
        delegate* unmanaged[Cdecl]<nuint, void*> alloc,
        delegate* unmanaged[Cdecl]<void*, nuint, nuint, void*> realloc,
        delegate* unmanaged[Cdecl]<void*, nuint, void> free);

    [LibraryImport(Library, EntryPoint = "__gmpz_init")]
    internal static partial void Init(IntPtr z);

    [LibraryImport(Library, EntryPoint = "__gmpz_clear")]
    internal static partial void Clear(IntPtr z);

    [LibraryImport(Library, EntryPoint = "__gmpz_import")]
    internal static partial void Import(IntPtr rop, nuint count, int order, nuint size, int endian, nuint nails, void* data);

    [LibraryImport(Library, EntryPoint = "__gmpz_export")]
    internal static partial void* Export(void* rop, nuint* count, int order, nuint size, int endian, nuint nails, IntPtr op);

    [LibraryImport(Library, EntryPoint = "__gmpz_sizeinbase")]
    internal static partial nuint SizeInBase(IntPtr op, int @base);

    [LibraryImport(Library, EntryPoint = "__gmpz_neg")]
    internal static partial void Negate(IntPtr rop, IntPtr op);

    [LibraryImport(Library, EntryPoint = "__gmpz_mul")]
    internal static partial void Multiply(IntPtr rop, IntPtr a, IntPtr b);

    [LibraryImport(Library, EntryPoint = "__gmpz_mod")]
    internal static partial void Mod(IntPtr rop, IntPtr n, IntPtr d);

    [LibraryImport(Library, EntryPoint = "__gmpz_powm")]
    internal static partial void PowMod(IntPtr rop, IntPtr b, IntPtr e, IntPtr m);

    [LibraryImport(Library, EntryPoint = "__gmpz_powm_sec")]
    internal static partial void PowModSecure(IntPtr rop, IntPtr b, IntPtr e, IntPtr m);

    [LibraryImport(Library, EntryPoint = "__gmpz_invert")]
    internal static partial int Invert(IntPtr rop, IntPtr a, IntPtr m);

    [LibraryImport(Library, EntryPoint = "__gmpz_gcd")]
    internal static partial void Gcd(IntPtr rop, IntPtr a, IntPtr b);

    [LibraryImport(Library, EntryPoint = "__gmpz_jacobi")]
    internal static partial int Jacobi(IntPtr a, IntPtr b);

    [LibraryImport(Library, EntryPoint = "__gmpz_probab_prime_p")]
    internal static partial int ProbablePrime(IntPtr n, int reps);

    // The side-channel-silent mpn layer ("Low-level functions for cryptography" in the GMP manual):
    // operation sequence and memory access depend only on the operand sizes. mp_limb_t is a 64-bit
    // limb and mp_size_t a 64-bit count on the LP64 platforms this library loads on.
    [LibraryImport(Library, EntryPoint = "__gmpn_sec_mul")]
    internal static partial void SecMultiply(ulong* product, ulong* a, nint aLimbs, ulong* b, nint bLimbs, ulong* scratch);

    [LibraryImport(Library, EntryPoint = "__gmpn_sec_mul_itch")]
    internal static partial nint SecMultiplyScratch(nint aLimbs, nint bLimbs);

    [LibraryImport(Library, EntryPoint = "__gmpn_sec_div_r")]
    internal static partial void SecRemainder(ulong* numerator, nint numeratorLimbs, ulong* divisor, nint divisorLimbs, ulong* scratch);

    [LibraryImport(Library, EntryPoint = "__gmpn_sec_div_r_itch")]
    internal static partial nint SecRemainderScratch(nint numeratorLimbs, nint divisorLimbs);

    [LibraryImport(Library, EntryPoint = "__gmpn_sec_tabselect")]
    internal static partial void SecTableSelect(ulong* result, ulong* table, nint limbs, nint entries, nint which);
}
