using Threshold.Transcripts;

namespace Threshold.Rounds;

/// <summary>
/// Derives the session id a run's messages carry from the id its coordinator chose and the run's whole
/// configuration (parties, threshold, keys, parameters). Each party derives it from its own view of
/// the configuration, so parties handed different configurations under one id (by a faulty or
/// malicious coordinator) end up in different sessions: they refuse each other's messages as
/// misrouted instead of blaming each other for proofs that were never meant to verify.
/// </summary>
public static class SessionBinding
{
    /// <summary>H(protocol, chosen id, configuration), 32 bytes.</summary>
    /// <param name="protocol">The protocol name.</param>
    /// <param name="chosenId">The id the coordinator chose for the run.</param>
    /// <param name="configuration">Appends every configuration field to the transcript.</param>
    public static byte[] Bind(string protocol, ReadOnlySpan<byte> chosenId, Action<Transcript> configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        using var t = Transcript.Start("threshold.rounds.session").Append("protocol", protocol).Append("chosen-id", chosenId);
        configuration(t);
        return t.Digest();
    }
}
