using Threshold.Transcripts;

namespace Threshold.Proofs;

/// <summary>
/// What every proof is bound to besides its statement: the execution's session id and the index of
/// the prover (CGGMP21 §4: challenges hash "ssid, i" with the statement). A proof made in one session
/// or by one party fails in any other. The verifier's ring-Pedersen parameters, where a proof uses
/// them, are part of that proof's statement and are hashed too.
/// </summary>
/// <param name="SessionId">The execution id (ssid), any length, hashed as bytes.</param>
/// <param name="Prover">The prover's party index.</param>
public sealed record ProofContext(ReadOnlyMemory<byte> SessionId, int Prover)
{
    /// <summary>
    /// A transcript for the proof called <paramref name="proof"/> (domain
    /// <c>threshold.cggmp.proof.&lt;proof&gt;</c>) with the context absorbed.
    /// </summary>
    public Transcript Transcript(string proof, TranscriptHash hash = TranscriptHash.Sha256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(proof);
        return Transcripts.Transcript.Start("threshold.cggmp.proof." + proof, hash)
            .Append("sid", SessionId.Span)
            .Append("prover", checked((ulong)Prover));
    }

    /// <inheritdoc />
    public bool Equals(ProofContext? other) => other is not null && other.Prover == Prover && other.SessionId.Span.SequenceEqual(SessionId.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Prover, SessionId.Length);
}
