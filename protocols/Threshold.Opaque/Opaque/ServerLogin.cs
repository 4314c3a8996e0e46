// RFC 9807 §6.2.3 ServerFinish / §6.4.4 AuthServerFinalize: the server's login state between KE2 and KE3.
using Threshold.Opaque.Messages;

namespace Threshold.Opaque;

/// <summary>
/// A login in progress on the server: holds KE2 to send, and the expected client MAC and the session key
/// until <see cref="Finish(KE3)"/>, which consumes the state whatever its outcome. A second KE3, a replay
/// of an old KE3, or any KE3 for an unknown user (fake record) fails with the one
/// <see cref="OpaqueAuthenticationException"/>.
/// </summary>
public sealed class ServerLogin : IDisposable
{
    private readonly OpaqueSuite suite;
    private readonly bool isFake;
    private SecretBytes? expectedClientMac;
    private SecretBytes? sessionKey;

    internal ServerLogin(OpaqueSuite suite, KE2 message, SecretBytes expectedClientMac, SecretBytes sessionKey, bool isFake)
    {
        this.suite = suite;
        Message = message;
        this.expectedClientMac = expectedClientMac;
        this.sessionKey = sessionKey;
        this.isFake = isFake;
    }

    /// <summary>KE2: the message to send to the client.</summary>
    public KE2 Message { get; }

    /// <summary>
    /// ServerFinish(ke3): checks client_mac in constant time and returns session_key (Nx bytes, the
    /// caller's to dispose). Consumes the state.
    /// </summary>
    /// <exception cref="OpaqueAuthenticationException">Wrong MAC, unknown user, or the state was already used.</exception>
    public SecretBytes Finish(KE3 ke3)
    {
        ArgumentNullException.ThrowIfNull(ke3);
        var expected = Interlocked.Exchange(ref expectedClientMac, null);
        var key = Interlocked.Exchange(ref sessionKey, null);
        if (expected is null || key is null)
        {
            key?.Dispose();
            expected?.Dispose();
            throw new OpaqueAuthenticationException();
        }

        using (expected)
        {
            // Compare first, then decide, so a fake record costs the same as a real one.
            var macMatches = expected.FixedTimeEquals(ke3.ClientMac);
            if (macMatches & !isFake)
            {
                return key;
            }
        }

        key.Dispose();
        throw new OpaqueAuthenticationException();
    }

    /// <summary>ServerFinish on the wire form of KE3: a malformed KE3 is an authentication failure too.</summary>
    /// <exception cref="OpaqueAuthenticationException">As <see cref="Finish(KE3)"/>, or KE3 of the wrong length.</exception>
    public SecretBytes Finish(ReadOnlySpan<byte> ke3)
    {
        KE3 message;
        try
        {
            message = KE3.Deserialize(suite, ke3);
        }
        catch (DecodingException)
        {
            Dispose();
            throw new OpaqueAuthenticationException();
        }

        return Finish(message);
    }

    /// <summary>Abandons the login (for example when KE3 never arrives): wipes the state.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref expectedClientMac, null)?.Dispose();
        Interlocked.Exchange(ref sessionKey, null)?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ServerLogin({suite.Name})";
}
