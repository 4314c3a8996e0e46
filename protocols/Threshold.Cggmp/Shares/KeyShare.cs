using Threshold.Curves;
using Threshold.Secrets;

namespace Threshold.Cggmp.Shares;

/// <summary>
/// One party's output of threshold key generation: its Shamir share x_i of the signing key x, every
/// party's public share X_j = x_j·G, and the group public key X = x·G. Any <see cref="Threshold"/>
/// parties can sign; the share is wiped on <see cref="Dispose"/>.
/// </summary>
public sealed class KeyShare : IDisposable
{
    /// <summary>Assembles a key share (the DKG and refresh produce these).</summary>
    public KeyShare(Curve curve, int threshold, int index, SecretScalar share, IReadOnlyDictionary<int, Point> publicShares, Point publicKey, byte[] rid)
    {
        ArgumentNullException.ThrowIfNull(publicShares);
        if (threshold < 1 || threshold > publicShares.Count || !publicShares.ContainsKey(index))
        {
            throw new ArgumentException("inconsistent key share");
        }

        Curve = curve;
        Threshold = threshold;
        Index = index;
        Share = share;
        PublicShares = publicShares;
        PublicKey = publicKey;
        Rid = rid;
    }

    /// <summary>The curve of the key.</summary>
    public Curve Curve { get; }

    /// <summary>t: how many parties must take part in a signature.</summary>
    public int Threshold { get; }

    /// <summary>This party's index (its Shamir x-coordinate).</summary>
    public int Index { get; }

    /// <summary>Every party's index, ascending.</summary>
    public IReadOnlyList<int> Parties => [.. PublicShares.Keys.Order()];

    /// <summary>x_i, secret.</summary>
    public SecretScalar Share { get; }

    /// <summary>X_j = x_j·G for every party j.</summary>
    public IReadOnlyDictionary<int, Point> PublicShares { get; }

    /// <summary>The group public key X = x·G.</summary>
    public Point PublicKey { get; }

    /// <summary>The joint random id rid agreed in key generation (bound into later proofs).</summary>
    public byte[] Rid { get; }

    /// <inheritdoc />
    public void Dispose() => Share.Dispose();

    /// <summary>Shows only public facts.</summary>
    public override string ToString() => $"KeyShare({Curve.Name}, {Threshold}-of-{PublicShares.Count}, party {Index}, key {PublicKey})";
}
