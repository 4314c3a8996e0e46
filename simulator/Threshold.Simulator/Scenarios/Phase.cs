namespace Threshold.Simulator.Scenarios;

/// <summary>The protocol phases a scenario can run, in the order they depend on each other.</summary>
public enum Phase
{
    /// <summary>Threshold key generation.</summary>
    Keygen,

    /// <summary>Proactive refresh: every share changes, the key stays.</summary>
    Refresh,

    /// <summary>Aux-info: Paillier keys and ring-Pedersen parameters.</summary>
    AuxInfo,

    /// <summary>Presigning among the signers.</summary>
    Presign,

    /// <summary>The online round: partial signatures to a combiner.</summary>
    Sign,
}

/// <summary>Scenario names of phases.</summary>
public static class PhaseNames
{
    /// <summary>The name used in scenario files and reports: keygen, refresh, aux-info, presign, sign.</summary>
    public static string Name(this Phase phase) => phase switch
    {
        Phase.Keygen => "keygen",
        Phase.Refresh => "refresh",
        Phase.AuxInfo => "aux-info",
        Phase.Presign => "presign",
        _ => "sign",
    };

    /// <summary>The phase called <paramref name="name"/>.</summary>
    /// <exception cref="ScenarioException">No such phase.</exception>
    public static Phase Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "keygen" => Phase.Keygen,
        "refresh" => Phase.Refresh,
        "aux-info" or "auxinfo" or "aux_info" => Phase.AuxInfo,
        "presign" => Phase.Presign,
        "sign" => Phase.Sign,
        _ => throw new ScenarioException($"unknown phase '{name}' (keygen, refresh, aux-info, presign, sign)"),
    };
}
