using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Threshold.Contracts;

/// <summary>The number an operator reads out to compare clusters (threshold.v1.ClusterInfo.fingerprint).</summary>
public static class ClusterFingerprint
{
    /// <summary>Six digits from SHA-256 over the members' signing keys in sorted order.</summary>
    public static string Of(IEnumerable<byte[]> signingKeys)
    {
        ArgumentNullException.ThrowIfNull(signingKeys);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var key in signingKeys.Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))))
        {
            sha.AppendData(key);
        }

        return (BinaryPrimitives.ReadUInt64BigEndian(sha.GetHashAndReset()) % 1_000_000UL).ToString("D6", CultureInfo.InvariantCulture);
    }
}
