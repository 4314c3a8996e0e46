using System.Security.Cryptography;

namespace Threshold.Rounds.Signing;

/// <summary>
/// Identity keys as ECDSA P-256 through the framework (OpenSSL): IEEE P1363 signatures of 64 bytes
/// over message digests. Nodes load theirs from storage; tests and the in-memory runner generate them.
/// </summary>
public sealed class EcdsaPartyKeys : IPartyDirectory, IDisposable
{
    private readonly Dictionary<int, ECDsa> publicKeys;

    /// <summary>A directory of the given SubjectPublicKeyInfo-encoded public keys, by party index.</summary>
    public EcdsaPartyKeys(IReadOnlyDictionary<int, byte[]> subjectPublicKeys)
    {
        ArgumentNullException.ThrowIfNull(subjectPublicKeys);
        publicKeys = subjectPublicKeys.ToDictionary(e => e.Key, e =>
        {
            var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(e.Value, out _);
            return key;
        });
    }

    /// <summary>Fresh keys for parties 1..<paramref name="parties"/>: their signers and the shared directory.</summary>
    public static (IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory) Generate(int parties)
    {
        var signers = Enumerable.Range(1, parties).Select(i => new Signer(i, ECDsa.Create(ECCurve.NamedCurves.nistP256))).ToList();
        var directory = new EcdsaPartyKeys(signers.ToDictionary(s => s.Party, s => s.Key.ExportSubjectPublicKeyInfo()));
        return (signers, directory);
    }

    /// <summary>A signer over an existing private key (the node's identity key).</summary>
    public static IMessageSigner SignerFor(int party, ECDsa key) => new Signer(party, key);

    /// <inheritdoc />
    public bool Verify(int party, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        publicKeys.TryGetValue(party, out var key)
        && signature.Length == 64
        && key.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var key in publicKeys.Values)
        {
            key.Dispose();
        }
    }

    private sealed class Signer(int party, ECDsa key) : IMessageSigner
    {
        public int Party { get; } = party;

        public ECDsa Key { get; } = key;

        public byte[] Sign(ReadOnlySpan<byte> digest) => Key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
