using System.Numerics;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.Presigning;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;

namespace Threshold.Cggmp.Shares;

/// <summary>
/// Encodes a party's long-lived state (key share, aux info, presignatures) for storage, and decodes it
/// with the same validation as anything from the network. The encodings hold secrets: the node seals
/// them before they touch a disk.
/// </summary>
public static class StateCodec
{
    /// <summary>Encodes a key share (secret).</summary>
    public static byte[] Encode(KeyShare share)
    {
        ArgumentNullException.ThrowIfNull(share);
        var m = new Wire.StoredKeyShare
        {
            Curve = share.Curve.Name,
            Threshold = (uint)share.Threshold,
            Index = (uint)share.Index,
            Share = WireCodec.Scalar(share.Share.Value),
            PublicKey = WireCodec.Point(share.PublicKey),
            Rid = ByteString.CopyFrom(share.Rid),
        };
        m.PublicShares.AddRange(share.PublicShares.OrderBy(e => e.Key).Select(e => new Wire.PartyPoint { Party = (uint)e.Key, Point = WireCodec.Point(e.Value) }));
        return m.ToByteArray();
    }

    /// <summary>Decodes a key share, checking every point and that X_i = x_i·G.</summary>
    public static KeyShare DecodeKeyShare(ReadOnlySpan<byte> encoded)
    {
        var m = WireCodec.Parse(Wire.StoredKeyShare.Parser, encoded, "stored key share");
        var curve = CurveOf(m.Curve);
        var publicShares = Points(curve, m.PublicShares);
        // Everything that can refuse before the secret exists, so a refusal leaves nothing to wipe.
        var index = PartyIndex(m.Index);
        var share = new SecretScalar(WireCodec.DecodeScalar(curve, m.Share, "x_i"));
        // The share must satisfy KeyShare's own invariants here, where a refusal is a typed decoding error.
        if (m.Threshold < 1 || m.Threshold > publicShares.Count || !publicShares.TryGetValue(index, out var own) || !Point.MultiplyGenerator(share).Equals(own))
        {
            share.Dispose();
            throw new DecodingException(DecodingError.OutOfRange, "stored key share");
        }

        return new KeyShare(curve, (int)m.Threshold, index, share, publicShares, WireCodec.DecodePoint(curve, m.PublicKey, "X"), m.Rid.ToByteArray());
    }

    /// <summary>Encodes aux info (secret: the Paillier primes and the ring-Pedersen trapdoor).</summary>
    public static byte[] Encode(AuxInfo aux)
    {
        ArgumentNullException.ThrowIfNull(aux);
        var m = new Wire.StoredAuxInfo
        {
            Level = aux.Level.Name,
            Index = (uint)aux.Index,
            P = WireCodec.Unsigned(aux.PaillierKey.P),
            Q = WireCodec.Unsigned(aux.PaillierKey.Q),
            Lambda = WireCodec.Unsigned(aux.RingPedersen.Lambda),
        };
        m.Setups.AddRange(aux.Setups.OrderBy(e => e.Key).Select(e => new Wire.PartySetup
        {
            Party = (uint)e.Key,
            N = WireCodec.Unsigned(e.Value.N),
            S = WireCodec.Unsigned(e.Value.S),
            T = WireCodec.Unsigned(e.Value.T),
        }));
        return m.ToByteArray();
    }

    /// <summary>
    /// Decodes aux info. The own primes are checked to be safe primes (which also rebuilds the CRT
    /// values) and the trapdoor to relate the own s and t; the others' parameters were proven in aux-info.
    /// </summary>
    public static AuxInfo DecodeAuxInfo(ReadOnlySpan<byte> encoded)
    {
        var m = WireCodec.Parse(Wire.StoredAuxInfo.Parser, encoded, "stored aux info");
        var level = LevelOf(m.Level);
        var bound = BigInteger.One << level.ModulusBits;
        var setups = new Dictionary<int, RingPedersenParameters>();
        foreach (var s in m.Setups)
        {
            var n = WireCodec.DecodeUnsigned(s.N, bound, "N_j");
            setups[PartyIndex(s.Party)] = new RingPedersenParameters(n, WireCodec.DecodeUnsigned(s.S, n, "s_j"), WireCodec.DecodeUnsigned(s.T, n, "t_j"));
        }

        var index = PartyIndex(m.Index);
        if (!setups.TryGetValue(index, out var own))
        {
            throw new DecodingException(DecodingError.Malformed, "stored aux info");
        }

        PaillierSecretKey key;
        try
        {
            key = PaillierSecretKey.FromSafePrimes(WireCodec.DecodeUnsigned(m.P, bound, "p"), WireCodec.DecodeUnsigned(m.Q, bound, "q"));
        }
        catch (ArgumentException)
        {
            throw new DecodingException(DecodingError.OutOfRange, "stored Paillier primes");
        }

        try
        {
            if (key.N != own.N)
            {
                throw new DecodingException(DecodingError.OutOfRange, "stored Paillier primes");
            }

            var ringPedersen = RingPedersenSecret.Restore(key, WireCodec.DecodeUnsigned(m.Lambda, key.Phi, "λ"), own.S, own.T);
            var keys = setups.ToDictionary(e => e.Key, e => e.Key == index ? key.PublicKey : new PaillierPublicKey(e.Value.N));
            return new AuxInfo(level, index, key, ringPedersen, keys, setups);
        }
        catch (Exception e) when (e is DecodingException or ArgumentException)
        {
            key.Dispose();
            throw e as DecodingException ?? new DecodingException(DecodingError.OutOfRange, "stored ring-Pedersen trapdoor");
        }
    }

    /// <summary>Encodes an unused presignature (secret: k_i and χ_i).</summary>
    /// <exception cref="InvalidOperationException">The presignature was already used.</exception>
    public static byte[] Encode(Presignature presignature)
    {
        ArgumentNullException.ThrowIfNull(presignature);
        var (k, chi) = presignature.Secrets();
        var c = presignature.Commitments;
        var m = new Wire.StoredPresignature
        {
            Id = ByteString.CopyFrom(presignature.Id),
            Index = (uint)presignature.Index,
            Curve = c.Curve.Name,
            PublicKey = WireCodec.Point(c.PublicKey),
            R = WireCodec.Point(c.R),
            K = WireCodec.Scalar(k),
            Chi = WireCodec.Scalar(chi),
        };
        m.RBar.AddRange(c.RBar.OrderBy(e => e.Key).Select(e => new Wire.PartyPoint { Party = (uint)e.Key, Point = WireCodec.Point(e.Value) }));
        m.S.AddRange(c.S.OrderBy(e => e.Key).Select(e => new Wire.PartyPoint { Party = (uint)e.Key, Point = WireCodec.Point(e.Value) }));
        return m.ToByteArray();
    }

    /// <summary>Decodes a presignature, checking its points and that R̄_i = k_i·R.</summary>
    public static Presignature DecodePresignature(ReadOnlySpan<byte> encoded)
    {
        var m = WireCodec.Parse(Wire.StoredPresignature.Parser, encoded, "stored presignature");
        var curve = CurveOf(m.Curve);
        var rBar = Points(curve, m.RBar);
        var s = Points(curve, m.S);
        var r = WireCodec.DecodePoint(curve, m.R, "R");
        var index = PartyIndex(m.Index);
        var k = new SecretScalar(WireCodec.DecodeScalar(curve, m.K, "k_i"));
        var chi = new SecretScalar(WireCodec.DecodeScalar(curve, m.Chi, "χ_i"));
        if (!rBar.ContainsKey(index) || !s.ContainsKey(index) || !rBar.Keys.Order().SequenceEqual(s.Keys.Order()) || !r.Multiply(k).Equals(rBar[index]))
        {
            k.Dispose();
            chi.Dispose();
            throw new DecodingException(DecodingError.OutOfRange, "stored presignature");
        }

        var commitments = new PresignatureCommitments(curve, WireCodec.DecodePoint(curve, m.PublicKey, "X"), r, rBar, s);
        return new Presignature(index, m.Id.ToByteArray(), commitments, k, chi);
    }

    private static Curve CurveOf(string name)
    {
        try
        {
            return Curve.FromName(name);
        }
        catch (ArgumentException)
        {
            throw new DecodingException(DecodingError.Malformed, "curve");
        }
    }

    private static SecurityLevel LevelOf(string name)
    {
        try
        {
            return SecurityLevel.FromName(name);
        }
        catch (ArgumentException)
        {
            throw new DecodingException(DecodingError.Malformed, "security level");
        }
    }

    // Party indices are 1..1024 everywhere (a larger value would also overflow the checked int cast).
    private static int PartyIndex(uint party) =>
        party is 0 or > 1024 ? throw new DecodingException(DecodingError.Malformed, "party index") : (int)party;

    private static Dictionary<int, Point> Points(Curve curve, IEnumerable<Wire.PartyPoint> points)
    {
        var result = new Dictionary<int, Point>();
        foreach (var p in points)
        {
            if (!result.TryAdd(PartyIndex(p.Party), WireCodec.DecodePoint(curve, p.Point, "point")))
            {
                throw new DecodingException(DecodingError.Malformed, "party index");
            }
        }

        return result;
    }
}
