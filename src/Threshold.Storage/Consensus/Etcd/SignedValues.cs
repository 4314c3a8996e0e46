using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threshold.Storage.Consensus.Etcd;

/// <summary>
/// A value as a node stores it in etcd: its body, a counter that grows with every write the node makes,
/// and the node's ECDSA P-256 signature over (key, counter, body). The key is signed too, so a value
/// cannot be moved to another user's or another node's key.
/// </summary>
/// <param name="Counter">Grows with every value the node signs for this key.</param>
/// <param name="Body">The JSON body.</param>
/// <param name="Signature">ECDSA P-256 / SHA-256 (IEEE P1363) over <see cref="SignedValues.Message"/>.</param>
public sealed record SignedValue(long Counter, string Body, byte[] Signature);

/// <summary>A value read from etcd was not signed by the node whose key holds it, or is older than one already seen there.</summary>
public sealed class ConsensusIntegrityException(string message) : Exception(message);

/// <summary>The store could not reach an etcd quorum in time (or lost every race for a key): nothing was decided.</summary>
public sealed class ConsensusUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Signs this node's values and checks everyone's: a reader refuses a value whose signature does not
/// verify under the key-path node's identity key, and one whose counter is lower than a counter it has
/// already seen for the key (a replay of an older value by whoever can write to etcd).
/// </summary>
internal sealed class SignedValues(string node, ECDsa signer, IReadOnlyDictionary<string, ECDsa> verifiers)
{
    private const string Domain = "threshold consensus value v1";
    private readonly ConcurrentDictionary<string, (long Counter, long Revision)> seen = new(StringComparer.Ordinal);
    private long lastSigned;

    /// <summary>The nodes whose values can be checked.</summary>
    public IEnumerable<string> Nodes => verifiers.Keys;

    /// <summary>Signs <paramref name="body"/> for <paramref name="key"/> with a counter above <paramref name="stored"/> and above every counter this process signed.</summary>
    public byte[] Sign(string key, string body, long stored)
    {
        // Microseconds since the epoch keep counters growing across restarts, where lastSigned is lost.
        var counter = Math.Max(stored, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000);
        long previous, next;
        do
        {
            previous = Interlocked.Read(ref lastSigned);
            next = Math.Max(counter, previous) + 1;
        }
        while (Interlocked.CompareExchange(ref lastSigned, next, previous) != previous);

        var signature = signer.SignData(Message(key, next, body), HashAlgorithmName.SHA256);
        return JsonSerializer.SerializeToUtf8Bytes(new SignedValue(next, body, signature), SignedValueJson.Default.SignedValue);
    }

    /// <summary>
    /// The body of a value stored under <paramref name="key"/> by <paramref name="owner"/> at etcd revision
    /// <paramref name="revision"/>, and its counter, after checking signature and freshness (and remembering
    /// the highest counter and the revision it was seen at).
    /// </summary>
    /// <remarks>
    /// A value with a lower counter than one already seen is a replay when etcd stored it later than that
    /// one (a higher revision): the owner never writes a lower counter. Seen at a lower revision it is only
    /// an older read that raced a newer one; it is returned, and any write based on it fails its compare.
    /// </remarks>
    /// <exception cref="ConsensusIntegrityException">Forged, malformed, or older than a value already seen.</exception>
    public (string Body, long Counter) Open(string key, string owner, ReadOnlySpan<byte> stored, long revision)
    {
        if (!verifiers.TryGetValue(owner, out var verifier))
        {
            throw new ConsensusIntegrityException($"{key}: no identity key known for node {owner}");
        }

        SignedValue? value;
        try
        {
            value = JsonSerializer.Deserialize(stored, SignedValueJson.Default.SignedValue);
        }
        catch (JsonException)
        {
            value = null;
        }

        if (value?.Body is null || value.Signature is null || !verifier.VerifyData(Message(key, value.Counter, value.Body), value.Signature, HashAlgorithmName.SHA256))
        {
            throw new ConsensusIntegrityException($"{key}: the value is not signed by node {owner}; refusing it");
        }

        var highest = seen.AddOrUpdate(key, (value.Counter, revision), (_, known) => value.Counter > known.Counter ? (value.Counter, revision) : known);
        if (value.Counter < highest.Counter && revision > highest.Revision)
        {
            throw new ConsensusIntegrityException($"{key}: counter {value.Counter} is older than {highest.Counter}, already seen (a replayed value); refusing it");
        }

        return (value.Body, value.Counter);
    }

    /// <summary>This node's id.</summary>
    public string Node => node;

    private static byte[] Message(string key, long counter, string body) =>
        Encoding.UTF8.GetBytes($"{Domain}\n{key}\n{counter}\n{body}");
}

/// <summary>Source-generated JSON for <see cref="SignedValue"/>.</summary>
[JsonSerializable(typeof(SignedValue))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(LoginUnlock))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SignedValueJson : JsonSerializerContext;
