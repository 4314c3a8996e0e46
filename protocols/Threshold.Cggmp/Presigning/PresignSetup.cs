using System.Numerics;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// The public facts of one presigning run: the key (curve, t, X and every signer's X_j), the signer
/// set, and every signer's Paillier key and ring-Pedersen parameters at the run's security level.
/// The run's session id is bound to all of it (<see cref="BindSessionId"/>), so signers that disagree
/// on any part refuse each other's messages rather than blame each other, and a judge handed a setup
/// that is not the run's finds the signed messages under another session id.
/// </summary>
/// <param name="Curve">The key's curve.</param>
/// <param name="Threshold">t.</param>
/// <param name="PublicKey">X.</param>
/// <param name="Signers">The signer set, ascending.</param>
/// <param name="PublicShares">X_j for every signer (before the Lagrange coefficient).</param>
/// <param name="Level">The security level of the Paillier keys and proofs.</param>
/// <param name="PaillierKeys">N_j for every signer.</param>
/// <param name="Setups">(N̂_j, s_j, t_j) for every signer.</param>
public sealed record PresignSetup(
    Curve Curve,
    int Threshold,
    Point PublicKey,
    IReadOnlyList<int> Signers,
    IReadOnlyDictionary<int, Point> PublicShares,
    SecurityLevel Level,
    IReadOnlyDictionary<int, PaillierPublicKey> PaillierKeys,
    IReadOnlyDictionary<int, RingPedersenParameters> Setups)
{
    private IReadOnlyDictionary<int, Point>? publicX;

    /// <summary>X̃_j = λ_j·X_j for every signer: the public counterpart of its additive share for this signer set.</summary>
    public IReadOnlyDictionary<int, Point> PublicX => publicX ??= Signers.ToDictionary(j => j, j => Lagrange.Coefficient(Curve, j, Signers) * PublicShares[j]);

    /// <summary>The setup of a run among <paramref name="signers"/> with this key share and aux info.</summary>
    /// <exception cref="InsufficientSignersException">Fewer than t signers, or signers outside the key or its aux info.</exception>
    public static PresignSetup From(IReadOnlyList<int> signers, KeyShare share, AuxInfo aux)
    {
        ArgumentNullException.ThrowIfNull(signers);
        ArgumentNullException.ThrowIfNull(share);
        ArgumentNullException.ThrowIfNull(aux);
        var ordered = signers.Order().ToList();
        if (ordered.Distinct().Count() != ordered.Count || ordered.Any(s => !share.PublicShares.ContainsKey(s) || !aux.PaillierKeys.ContainsKey(s)))
        {
            throw new InsufficientSignersException("every signer must be a distinct holder of the key and its aux info");
        }

        if (ordered.Count < share.Threshold)
        {
            throw new InsufficientSignersException($"{ordered.Count} signers cannot sign with a {share.Threshold}-of-{share.PublicShares.Count} key");
        }

        return new PresignSetup(
            share.Curve,
            share.Threshold,
            share.PublicKey,
            ordered,
            ordered.ToDictionary(j => j, j => share.PublicShares[j]),
            aux.Level,
            ordered.ToDictionary(j => j, j => aux.PaillierKeys[j]),
            ordered.ToDictionary(j => j, j => aux.Setups[j]));
    }

    /// <summary>The session id a run's messages carry: the chosen one bound to this whole setup.</summary>
    public byte[] BindSessionId(ReadOnlySpan<byte> chosenId) => SessionBinding.Bind(Presign.ProtocolName, chosenId, t =>
    {
        t.Append("curve", Curve.Name).Append("t", (ulong)Threshold).Append("X", PublicKey).Append("level", Level.Name).Append("signers", (ulong)Signers.Count);
        foreach (var j in Signers)
        {
            t.Append("signer", (ulong)j).Append("X_j", PublicShares[j]).Append("N_j", PaillierKeys[j].N)
                .Append("Nhat_j", Setups[j].N).Append("s_j", Setups[j].S).Append("t_j", Setups[j].T);
        }
    });

    /// <summary>Protobuf encoding (for whoever judges a run's abort notices away from the signers).</summary>
    public byte[] Encode()
    {
        var m = new Wire.PresignSetupMessage
        {
            Curve = Curve.Name,
            Threshold = (uint)Threshold,
            PublicKey = ByteString.CopyFrom(PublicKey.Encode()),
            Level = Level.Name,
        };
        foreach (var j in Signers)
        {
            m.Signers.Add(new Wire.PresignSigner
            {
                Index = (uint)j,
                PublicShare = ByteString.CopyFrom(PublicShares[j].Encode()),
                PaillierN = WireCodec.Unsigned(PaillierKeys[j].N),
                RingPedersenN = WireCodec.Unsigned(Setups[j].N),
                RingPedersenS = WireCodec.Unsigned(Setups[j].S),
                RingPedersenT = WireCodec.Unsigned(Setups[j].T),
            });
        }

        return m.ToByteArray();
    }

    /// <summary>Strict decoding: a known curve and level, t within the signer count, points on the curve, moduli of the level's size.</summary>
    /// <exception cref="DecodingException">Malformed or out of range.</exception>
    public static PresignSetup Decode(ReadOnlySpan<byte> encoded)
    {
        var m = WireCodec.Parse(Wire.PresignSetupMessage.Parser, encoded, "presign setup");
        Curve curve;
        SecurityLevel level;
        try
        {
            curve = Curve.FromName(m.Curve);
            level = SecurityLevel.FromName(m.Level);
        }
        catch (ArgumentException)
        {
            throw new DecodingException(DecodingError.OutOfRange, "presign setup curve or level");
        }

        var indices = m.Signers.Select(s => (int)s.Index).ToList();
        if (indices.Count is 0 or > 1024 || indices.Any(i => i < 1) || !indices.SequenceEqual(indices.Order().Distinct()) || m.Threshold < 1 || m.Threshold > indices.Count)
        {
            throw new DecodingException(DecodingError.OutOfRange, "presign setup signers");
        }

        var bound = BigInteger.One << level.ModulusBits;
        BigInteger Modulus(ByteString value, string field)
        {
            var n = WireCodec.DecodeUnsigned(value, bound, field);
            return n.GetBitLength() == level.ModulusBits && !n.IsEven ? n : throw new DecodingException(DecodingError.OutOfRange, field);
        }

        var signers = m.Signers.ToDictionary(s => (int)s.Index);
        return new PresignSetup(
            curve,
            (int)m.Threshold,
            Point.Decode(curve, m.PublicKey.Span, "presign setup X"),
            indices,
            signers.ToDictionary(e => e.Key, e => Point.Decode(curve, e.Value.PublicShare.Span, "presign setup X_j")),
            level,
            signers.ToDictionary(e => e.Key, e => new PaillierPublicKey(Modulus(e.Value.PaillierN, "presign setup N_j"))),
            signers.ToDictionary(e => e.Key, e =>
            {
                var n = Modulus(e.Value.RingPedersenN, "presign setup N̂_j");
                return new RingPedersenParameters(n, WireCodec.DecodeUnsigned(e.Value.RingPedersenS, n, "presign setup s_j"), WireCodec.DecodeUnsigned(e.Value.RingPedersenT, n, "presign setup t_j"));
            }));
    }
}
