// RFC 9497 §2.2 discrete-logarithm-equivalence proofs (batched Chaum–Pedersen): GenerateProof,
// VerifyProof, ComputeComposites and ComputeCompositesFast. Used by modeVOPRF.
using System.Buffers.Binary;
using System.Security.Cryptography;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Oprf;

/// <summary>
/// A DLEQ proof (c, s) that k·A = B and k·C[i] = D[i] for all i (RFC 9497 §2.2). Public; serialised
/// as the two scalars concatenated (2·Ns bytes).
/// </summary>
public sealed class DleqProof
{
    private readonly byte[] c;
    private readonly byte[] s;

    private DleqProof(byte[] c, byte[] s)
    {
        this.c = c;
        this.s = s;
    }

    /// <summary>SerializeScalar(c) || SerializeScalar(s).</summary>
    public byte[] Serialize() => [.. c, .. s];

    /// <summary>Decodes a proof, validating both scalars.</summary>
    /// <exception cref="DecodingException">Wrong length or a non-canonical scalar.</exception>
    public static DleqProof Deserialize(IOprfGroup group, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(group);
        var n = group.ScalarLength;
        if (encoded.Length != 2 * n)
        {
            throw new DecodingException(DecodingError.Malformed, "proof");
        }

        using (group.DeserializeScalar(encoded[..n], "proof.c"))
        using (group.DeserializeScalar(encoded[n..], "proof.s"))
        {
            return new DleqProof(encoded[..n].ToArray(), encoded[n..].ToArray());
        }
    }

    /// <inheritdoc />
    public override string ToString() => Convert.ToHexStringLower(Serialize());

    /// <summary>GenerateProof(k, A, B, C, D) with proof randomness r (disposed by the caller).</summary>
    internal static DleqProof Generate(
        OprfSuite suite, GroupScalar k, GroupElement a, GroupElement b, IReadOnlyList<GroupElement> cs, IReadOnlyList<GroupElement> ds, GroupScalar r)
    {
        var group = suite.Group;
        var (m, z) = ComputeComposites(suite, k, b, cs, ds);
        var t2 = group.Multiply(r, a);
        var t3 = group.Multiply(r, m);
        using var challenge = Challenge(suite, b, m, z, t2, t3);
        using var ck = group.Multiply(challenge, k);
        using var response = group.Subtract(r, ck); // s = r − c·k
        using var cBytes = challenge.Serialize();
        using var sBytes = response.Serialize();
        return new DleqProof(cBytes.Span.ToArray(), sBytes.Span.ToArray());
    }

    /// <summary>VerifyProof(A, B, C, D, proof): recomputes the challenge from t2 = s·A + c·B, t3 = s·M + c·Z.</summary>
    internal bool Verify(OprfSuite suite, GroupElement a, GroupElement b, IReadOnlyList<GroupElement> cs, IReadOnlyList<GroupElement> ds)
    {
        var group = suite.Group;
        var (m, z) = ComputeComposites(suite, null, b, cs, ds);
        using var challenge = group.DeserializeScalar(c, "proof.c");
        using var response = group.DeserializeScalar(s, "proof.s");
        var t2 = group.Add(group.Multiply(response, a), group.Multiply(challenge, b));
        var t3 = group.Add(group.Multiply(response, m), group.Multiply(challenge, z));
        using var expected = Challenge(suite, b, m, z, t2, t3);
        using var expectedBytes = expected.Serialize();
        return expectedBytes.FixedTimeEquals(c);
    }

    /// <summary>
    /// ComputeComposites (k null) or ComputeCompositesFast (k given): M = Σ d_i·C[i], Z = Σ d_i·D[i] (or k·M),
    /// with d_i = HashToScalar(seed || I2OSP(i, 2) || C[i] || D[i] || "Composite").
    /// </summary>
    private static (GroupElement M, GroupElement Z) ComputeComposites(
        OprfSuite suite, GroupScalar? k, GroupElement b, IReadOnlyList<GroupElement> cs, IReadOnlyList<GroupElement> ds)
    {
        if (cs.Count != ds.Count || cs.Count == 0 || cs.Count > ushort.MaxValue)
        {
            throw new ArgumentException("C and D must be non-empty lists of equal length");
        }

        var group = suite.Group;
        var bm = b.Serialize();
        byte[] seedDst = [.. "Seed-"u8, .. suite.ContextString];
        var seed = suite.HashData([.. LengthPrefixed(bm), .. LengthPrefixed(seedDst)]);

        var m = group.Identity;
        var z = group.Identity;
        for (var i = 0; i < cs.Count; i++)
        {
            var index = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(index, (ushort)i);
            byte[] transcript =
            [
                .. LengthPrefixed(seed), .. index,
                .. LengthPrefixed(cs[i].Serialize()),
                .. LengthPrefixed(ds[i].Serialize()),
                .. "Composite"u8,
            ];
            using var di = suite.HashToScalar(transcript);
            m = group.Add(group.Multiply(di, cs[i]), m);
            if (k is null)
            {
                z = group.Add(group.Multiply(di, ds[i]), z);
            }
        }

        return (m, k is null ? z : group.Multiply(k, m));
    }

    /// <summary>c = HashToScalar(Bm || M || Z || t2 || t3 (each length-prefixed) || "Challenge").</summary>
    private static GroupScalar Challenge(OprfSuite suite, GroupElement b, GroupElement m, GroupElement z, GroupElement t2, GroupElement t3)
    {
        byte[] transcript =
        [
            .. LengthPrefixed(b.Serialize()),
            .. LengthPrefixed(m.Serialize()),
            .. LengthPrefixed(z.Serialize()),
            .. LengthPrefixed(t2.Serialize()),
            .. LengthPrefixed(t3.Serialize()),
            .. "Challenge"u8,
        ];
        return suite.HashToScalar(transcript);
    }

    private static byte[] LengthPrefixed(ReadOnlySpan<byte> value)
    {
        var output = new byte[2 + value.Length];
        BinaryPrimitives.WriteUInt16BigEndian(output, (ushort)value.Length);
        value.CopyTo(output.AsSpan(2));
        return output;
    }
}
