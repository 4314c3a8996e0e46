// RFC 9807 §4: the optional client_identity and server_identity; absent ones default to public keys.
namespace Threshold.Opaque;

/// <summary>
/// The application identities bound into the envelope and the AKE transcript (RFC 9807 §4, §10.5).
/// A null identity defaults to the party's public key. Both sides must use the same values at
/// registration and at every login.
/// </summary>
public sealed class PartyIdentities
{
    private readonly byte[]? client;
    private readonly byte[]? server;

    /// <summary>Creates identities; each given one must be 1 to 65535 bytes long.</summary>
    public PartyIdentities(byte[]? client = null, byte[]? server = null)
    {
        this.client = Check(client, nameof(client));
        this.server = Check(server, nameof(server));
    }

    /// <summary>No application identities: both default to public keys.</summary>
    public static PartyIdentities None { get; } = new();

    /// <summary>client_identity, or null for the client public key.</summary>
    public ReadOnlySpan<byte> Client => client;

    /// <summary>server_identity, or null for the server public key.</summary>
    public ReadOnlySpan<byte> Server => server;

    /// <summary>Whether a client identity is set.</summary>
    public bool HasClient => client is not null;

    /// <summary>Whether a server identity is set.</summary>
    public bool HasServer => server is not null;

    /// <inheritdoc />
    public override string ToString() =>
        $"PartyIdentities(client={(client is null ? "public key" : Convert.ToHexStringLower(client))}, server={(server is null ? "public key" : Convert.ToHexStringLower(server))})";

    private static byte[]? Check(byte[]? identity, string name)
    {
        if (identity is null)
        {
            return null;
        }

        return identity.Length is >= 1 and <= ushort.MaxValue
            ? (byte[])identity.Clone()
            : throw new ArgumentException("an identity must be 1 to 65535 bytes long", name);
    }
}
