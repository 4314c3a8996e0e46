namespace Threshold.Rounds.Signing;

/// <summary>Signs the digests of the messages one party sends (its long-term identity key).</summary>
public interface IMessageSigner
{
    /// <summary>The party this key belongs to.</summary>
    int Party { get; }

    /// <summary>Signs a 32-byte message digest.</summary>
    byte[] Sign(ReadOnlySpan<byte> digest);
}

/// <summary>Knows every party's public identity key; checks message signatures.</summary>
public interface IPartyDirectory
{
    /// <summary>Whether <paramref name="signature"/> is <paramref name="party"/>'s signature on <paramref name="digest"/>.</summary>
    bool Verify(int party, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature);
}
