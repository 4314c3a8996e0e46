using Threshold.Paillier;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>
/// One party's output of aux-info: its own Paillier secret key and ring-Pedersen trapdoor, and every
/// party's Paillier public key and ring-Pedersen parameters (CGGMP21 Fig. 6: N_j = N̂_j). The proofs
/// of presigning are made against these. Secrets are wiped on <see cref="Dispose"/>.
/// </summary>
public sealed class AuxInfo : IDisposable
{
    /// <summary>Assembles aux info (the aux-info and refresh protocols produce these).</summary>
    public AuxInfo(
        SecurityLevel level,
        int index,
        PaillierSecretKey paillierKey,
        RingPedersenSecret ringPedersen,
        IReadOnlyDictionary<int, PaillierPublicKey> paillierKeys,
        IReadOnlyDictionary<int, RingPedersenParameters> setups)
    {
        Level = level;
        Index = index;
        PaillierKey = paillierKey;
        RingPedersen = ringPedersen;
        PaillierKeys = paillierKeys;
        Setups = setups;
    }

    /// <summary>The security level the keys were made for.</summary>
    public SecurityLevel Level { get; }

    /// <summary>This party's index.</summary>
    public int Index { get; }

    /// <summary>This party's Paillier secret key (secret).</summary>
    public PaillierSecretKey PaillierKey { get; }

    /// <summary>This party's ring-Pedersen trapdoor (secret), over the same modulus.</summary>
    public RingPedersenSecret RingPedersen { get; }

    /// <summary>Every party's Paillier public key N_j.</summary>
    public IReadOnlyDictionary<int, PaillierPublicKey> PaillierKeys { get; }

    /// <summary>Every party's ring-Pedersen parameters (N̂_j, s_j, t_j).</summary>
    public IReadOnlyDictionary<int, RingPedersenParameters> Setups { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        RingPedersen.Dispose();
        PaillierKey.Dispose();
    }

    /// <summary>Shows only public facts.</summary>
    public override string ToString() => $"AuxInfo(party {Index}, {PaillierKeys.Count} parties, Paillier {Level.Name})";
}

/// <summary>The agreed parameters of one aux-info run.</summary>
/// <param name="Level">Security level (Paillier size, proof parameters).</param>
/// <param name="Parties">All parties' indices.</param>
/// <param name="SessionId">Unique per run; bound into every message and proof.</param>
public sealed record AuxInfoConfig(SecurityLevel Level, IReadOnlyList<int> Parties, byte[] SessionId)
{
    /// <summary>What else the run is bound to (for example the public key of the key it provisions); empty if nothing.</summary>
    public byte[] Context { get; init; } = [];

    /// <summary>Checks the parameters.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Level);
        if (Parties.Count < 1 || Parties.Distinct().Count() != Parties.Count || Parties.Any(p => p < 1))
        {
            throw new ArgumentException("party indices must be positive and distinct");
        }

        if (SessionId is null || SessionId.Length is 0 or > 64)
        {
            throw new ArgumentException("session id must be 1 to 64 bytes");
        }
    }
}
