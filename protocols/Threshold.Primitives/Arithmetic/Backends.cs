using Threshold.Interop.Gmp;

namespace Threshold.Arithmetic;

/// <summary>
/// Chooses the arithmetic backend. GMP is the default; the managed backend is used only when asked
/// for, by <see cref="UseBackend"/> or by the environment variable <c>THRESHOLD_ARITHMETIC=managed</c>,
/// so a machine without libgmp fails loudly instead of silently running six times slower.
/// </summary>
public static class Backends
{
    /// <summary>Environment variable naming the default backend: "gmp" or "managed".</summary>
    public const string EnvironmentVariable = "THRESHOLD_ARITHMETIC";

    private static IArithmetic? chosen;

    /// <summary>Whether libgmp could be loaded on this machine.</summary>
    public static bool GmpAvailable => GmpNative.IsAvailable;

    /// <summary>The version of the loaded libgmp (for example "6.2.1"), or null when it is missing.</summary>
    public static string? GmpVersion => GmpNative.IsAvailable ? GmpNative.Version : null;

    /// <summary>The GMP backend.</summary>
    /// <exception cref="ArithmeticBackendUnavailableException">libgmp is not installed.</exception>
    public static IArithmetic Gmp => GmpNative.IsAvailable
        ? GmpArithmetic.Instance
        : throw new ArithmeticBackendUnavailableException(
            "GMP (libgmp.so.10) could not be loaded. Install it (apt-get install libgmp10) or choose the " +
            $"managed backend explicitly with {EnvironmentVariable}=managed.");

    /// <summary>The managed backend (no native dependency).</summary>
    public static IArithmetic Managed => ManagedArithmetic.Instance;

    /// <summary>The process-wide default: chosen explicitly, else from the environment, else GMP.</summary>
    public static IArithmetic Default => chosen ??= ByName(Environment.GetEnvironmentVariable(EnvironmentVariable) ?? "gmp");

    /// <summary>The backend called <paramref name="name"/> ("gmp" or "managed").</summary>
    public static IArithmetic ByName(string name) => name.Trim().ToUpperInvariant() switch
    {
        "GMP" => Gmp,
        "MANAGED" => Managed,
        _ => throw new ArgumentException($"unknown arithmetic backend '{name}' (expected gmp or managed)", nameof(name)),
    };

    /// <summary>Sets the process-wide default backend (call once, at start-up).</summary>
    public static void UseBackend(IArithmetic backend) => chosen = backend ?? throw new ArgumentNullException(nameof(backend));
}

/// <summary>The requested arithmetic backend cannot run on this machine.</summary>
public sealed class ArithmeticBackendUnavailableException(string message) : Exception(message);
