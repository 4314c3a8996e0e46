// RFC 9807 §7: a configuration is (OPRF, KDF, MAC, Hash, KSF, Group, Context). The suite fixes all but
// the KSF and the context string, which the application chooses.
using Threshold.Opaque.Ksf;

namespace Threshold.Opaque;

/// <summary>
/// What client and server must agree on before they run OPAQUE: the suite, the key stretching function
/// with its parameters, and the context string bound into every AKE transcript (RFC 9807 §7, §6.4.2.1).
/// </summary>
public sealed class OpaqueConfiguration
{
    private readonly byte[] context;

    /// <summary>Creates a configuration.</summary>
    /// <param name="suite">The OPAQUE-3DH suite.</param>
    /// <param name="ksf">The key stretching function, with fixed parameters.</param>
    /// <param name="context">Application context for the preamble (at most 65535 bytes), for example "threshold-v1".</param>
    public OpaqueConfiguration(OpaqueSuite suite, IKeyStretchingFunction ksf, ReadOnlySpan<byte> context)
    {
        Suite = suite ?? throw new ArgumentNullException(nameof(suite));
        Ksf = ksf ?? throw new ArgumentNullException(nameof(ksf));
        if (context.Length > ushort.MaxValue)
        {
            throw new ArgumentException("the context is limited to 65535 bytes", nameof(context));
        }

        this.context = context.ToArray();
    }

    /// <summary>The context string Threshold binds into its logins when the application gives none.</summary>
    public static ReadOnlySpan<byte> DefaultContext => "threshold.opaque.v1"u8;

    /// <summary>The suite.</summary>
    public OpaqueSuite Suite { get; }

    /// <summary>The key stretching function.</summary>
    public IKeyStretchingFunction Ksf { get; }

    /// <summary>The context string.</summary>
    public ReadOnlySpan<byte> Context => context;

    /// <summary>
    /// The configuration of one login attempt: the same suite and KSF, with the context extended by
    /// <c>"/attempt/" || attempt_id</c>. Client and node both use it for that attempt, so the AKE
    /// transcript (and with it KE2's server MAC, KE3 and the session key) is bound to the attempt id:
    /// an answer computed for one attempt does not verify under another.
    /// </summary>
    /// <exception cref="ArgumentException">The attempt id is not 1 to 64 bytes.</exception>
    public OpaqueConfiguration ForAttempt(ReadOnlySpan<byte> attemptId)
    {
        if (attemptId.Length is < 1 or > 64)
        {
            throw new ArgumentException("an attempt id is 1 to 64 bytes", nameof(attemptId));
        }

        return new OpaqueConfiguration(Suite, Ksf, [.. context, .. "/attempt/"u8, .. attemptId]);
    }

    /// <summary>The recommended configuration for a suite: Argon2id with RFC 9807's parameters (p = 1) and the default context.</summary>
    public static OpaqueConfiguration Recommended(OpaqueSuite suite) => new(suite, new Argon2idKsf(Argon2idProfile.Rfc9807), DefaultContext);

    /// <inheritdoc />
    public override string ToString() => $"OPAQUE-3DH {Suite.Name}, KSF {Ksf.Name}";
}
