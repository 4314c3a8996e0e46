using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node.Freshness;
using Threshold.Node.Identity;
using Threshold.Node.Storage;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Rounds;
using Threshold.Transcripts;

namespace Threshold.Node.Protocols;

/// <summary>
/// The protocol sessions a node takes part in. The aggregator starts a session and then delivers the
/// round messages addressed to this node, one batch per call; the host answers with what the node
/// sends. Direct payloads travel encrypted to their recipient; every message is signed by its sender.
/// Results are stored when a session completes (key share, aux info, presignature).
/// </summary>
internal sealed class ProtocolHost(NodeIdentity identity, ClusterMembers members, INodeVault vault, PrimePool primes, SecurityLevel level, RandomNumberGenerator rng, TimeProvider time, IStateFreshness freshness)
{
    private readonly ConcurrentDictionary<string, RunningSession> sessions = new();
    private long lastForgetTicks;

    /// <summary>How long a session may wait for its next delivery before it counts as abandoned.</summary>
    internal static TimeSpan AbandonedAfter => ProtocolSessionIds.Lifetime;

    /// <summary>How the node creates its parties (<see cref="ProtocolSuite.Cggmp21"/> unless the node's options say otherwise).</summary>
    internal ProtocolSuite Protocols { get; init; } = ProtocolSuite.Cggmp21;

    /// <summary>The cluster's members (for naming culprits).</summary>
    internal ClusterMembers Members => members;

    /// <summary>The node's clock.</summary>
    internal TimeProvider Time => time;

    private PartyIdentity Party => new(Threshold.Rounds.Signing.EcdsaPartyKeys.SignerFor(identity.Party, identity.Signing), members);

    /// <summary>
    /// Starts a session; the caller has already checked the user's authorisation. The session id must be
    /// fresh (<see cref="ProtocolSessionIds"/>) and new to this node: the node records it durably, and gets
    /// that record published, before its first message leaves.
    /// </summary>
    public async Task<ProtocolStep> StartAsync(StartProtocolRequest request, CancellationToken cancellationToken)
    {
        var sid = request.SessionId.ToByteArray();
        var now = time.GetUtcNow();
        if (ProtocolSessionIds.IssuedAt(sid) is not { } issued || issued < now - ProtocolSessionIds.Lifetime || issued > now + ProtocolSessionIds.MaxSkew)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, $"session id must be {ProtocolSessionIds.Length} bytes issued within the last {ProtocolSessionIds.Lifetime.TotalMinutes:0} minutes");
        }

        var parties = request.Parties.Select(p => (int)p).ToList();
        if (parties.Count == 0 || parties.Distinct().Count() != parties.Count || !parties.Contains(identity.Party) || parties.Any(p => members.Members.All(m => m.Party != p)))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "parties must be distinct cluster members including this node");
        }

        var session = request.Kind switch
        {
            ProtocolKind.Keygen => StartKeygen(request, sid, parties),
            ProtocolKind.AuxInfo => await StartAuxInfoAsync(request, sid, parties, cancellationToken).ConfigureAwait(false),
            ProtocolKind.Presign => await StartPresignAsync(request, sid, parties, cancellationToken).ConfigureAwait(false),
            _ => throw new ThresholdException(ErrorCode.InvalidArgument, "unknown protocol"),
        };
        try
        {
            await ForgetOldSessionIdsAsync(now, cancellationToken).ConfigureAwait(false);
            if (!await vault.ClaimSessionAsync(sid, ProtocolSessionIds.RememberUntil(issued), cancellationToken).ConfigureAwait(false))
            {
                throw new ThresholdException(ErrorCode.FailedPrecondition, "session id already used");
            }

            await freshness.PublishBeforeIrreversibleOutputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            session.Abandon();
            throw;
        }

        // Published under its gate, so a delivery that races the start waits for Start to finish.
        SweepAbandoned();
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            sessions[Key(sid)] = session;
            return await session.StepAsync(session.Start(), [], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
            if (session.Status != PartyStatus.Running)
            {
                sessions.TryRemove(Key(sid), out _);
            }
        }
    }

    /// <summary>Drops the records of session ids too old to be accepted again, at most once a minute.</summary>
    private async Task ForgetOldSessionIdsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref lastForgetTicks);
        if (now.UtcTicks - last >= TimeSpan.TicksPerMinute && Interlocked.CompareExchange(ref lastForgetTicks, now.UtcTicks, last) == last)
        {
            await vault.ForgetSessionsAsync(now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Delivers messages to a running session.</summary>
    public async Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken)
    {
        var sid = request.SessionId.ToByteArray();
        if (!sessions.TryGetValue(Key(sid), out var session))
        {
            throw new ThresholdException(ErrorCode.NotFound, "no such protocol session");
        }

        var outgoing = new List<RoundMessage>();
        var rejected = new List<Contracts.V1.Refusal>();
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            session.LastActive = time.GetUtcNow();
            foreach (var routed in request.Messages)
            {
                var refusal = new Contracts.V1.Refusal { Producer = routed.From };
                try
                {
                    var message = Receive(routed);
                    (refusal.Round, refusal.Sender, refusal.Broadcast) = ((uint)message.Round, (uint)message.Sender, message.IsBroadcast);
                    outgoing.AddRange(session.Deliver(message));
                }
                catch (DecodingException e)
                {
                    refusal.Reason = $"malformed: {e.Reason}";
                    rejected.Add(refusal);
                }
                catch (MessageRejectedException e)
                {
                    refusal.Reason = e.Reason.ToString();
                    rejected.Add(refusal);
                }
            }

            return await session.StepAsync(outgoing, rejected, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
            if (session.Status != PartyStatus.Running)
            {
                sessions.TryRemove(Key(sid), out _);
            }
        }
    }

    /// <summary>
    /// Forgets sessions nobody has delivered to for <see cref="AbandonedAfter"/>: a run the aggregator
    /// gave up on (a peer went quiet) would otherwise stay in memory for good.
    /// </summary>
    private void SweepAbandoned()
    {
        var cutoff = time.GetUtcNow() - AbandonedAfter;
        foreach (var (key, session) in sessions)
        {
            if (session.LastActive < cutoff && session.Gate.Wait(0))
            {
                sessions.TryRemove(key, out _);
                session.Abandon(); // wipes the run's secrets
                session.Gate.Release();
            }
        }
    }

    private RunningSession StartKeygen(StartProtocolRequest request, byte[] sid, List<int> parties)
    {
        if (string.IsNullOrEmpty(request.KeyId) || string.IsNullOrEmpty(request.Owner))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "key generation needs a key id and an owner");
        }

        var curve = Curves.CurveOf(request.Curve);
        var config = new KeygenConfig(curve, (int)request.Threshold, parties, sid);
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, e.Message);
        }

        var party = Protocols.Keygen(config, Party, rng);
        return new RunningSession<KeyShare>(this, ProtocolKind.Keygen, sid, party, async (share, step, ct) =>
        {
            await vault.SaveKeyAsync(new KeyRecord(request.KeyId, request.Owner, curve, share.PublicKey, time.GetUtcNow()), share, ct).ConfigureAwait(false);
            step.PublicKey = ByteString.CopyFrom(share.PublicKey.Encode());
            share.Dispose();
        });
    }

    private async Task<RunningSession> StartAuxInfoAsync(StartProtocolRequest request, byte[] sid, List<int> parties, CancellationToken cancellationToken)
    {
        var key = await vault.FindKeyAsync(request.KeyId, cancellationToken).ConfigureAwait(false)
            ?? throw new ThresholdException(ErrorCode.NotFound, "no such key");
        var config = new AuxInfoConfig(level, parties, sid) { Context = key.PublicKey.Encode() };
        var party = Protocols.AuxInfo(config, Party, rng, primes, cancellationToken);
        return new RunningSession<AuxInfo>(this, ProtocolKind.AuxInfo, sid, party, async (aux, step, ct) =>
        {
            await vault.SaveAuxInfoAsync(request.KeyId, aux, ct).ConfigureAwait(false);
            aux.Dispose();
        });
    }

    private async Task<RunningSession> StartPresignAsync(StartProtocolRequest request, byte[] sid, List<int> signers, CancellationToken cancellationToken)
    {
        var key = await vault.LoadKeyAsync(request.KeyId, cancellationToken).ConfigureAwait(false)
            ?? throw new ThresholdException(ErrorCode.NotFound, "no such key");
        using var share = key.Share; // presigning keeps only λ·x, so the decoded share is wiped now
        if (key.Aux is null)
        {
            throw new ThresholdException(ErrorCode.FailedPrecondition, "the key has no aux info yet");
        }

        Party<Presignature> party;
        PresignSetup setup;
        try
        {
            setup = PresignSetup.From(signers, share, key.Aux);
            party = Protocols.Presign(new PresignConfig(signers, sid), share, key.Aux, Party, rng);
        }
        catch (ArgumentException e)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, e.Message);
        }

        return new RunningSession<Presignature>(this, ProtocolKind.Presign, sid, party, async (presignature, step, ct) =>
        {
            step.Presignature = Describe(presignature);
            await vault.AddPresignatureAsync(request.KeyId, presignature, ct).ConfigureAwait(false);
        })
        { Setup = ByteString.CopyFrom(setup.Encode()) };
    }

    /// <summary>The public part of a presignature, for the aggregator that combines.</summary>
    internal static PresignatureInfo Describe(Presignature presignature)
    {
        var c = presignature.Commitments;
        var info = new PresignatureInfo
        {
            PresignatureId = ByteString.CopyFrom(presignature.Id),
            R = ByteString.CopyFrom(c.R.Encode()),
            PublicKey = ByteString.CopyFrom(c.PublicKey.Encode()),
            Curve = Curves.ToWire(c.Curve),
        };
        foreach (var j in c.Signers)
        {
            info.Signers.Add((uint)j);
            info.RBar.Add(ByteString.CopyFrom(c.RBar[j].Encode()));
            info.S.Add(ByteString.CopyFrom(c.S[j].Encode()));
        }

        return info;
    }

    /// <summary>A message as it leaves this node: a direct payload sealed to its recipient.</summary>
    internal RoutedMessage Send(RoundMessage message)
    {
        var outgoing = message;
        if (message.Recipient is { } to && !message.IsAbort)
        {
            outgoing = message with { Payload = PayloadCrypto.Seal(members.ByParty(to).AgreementKey, message.Payload, Binding(message)) };
        }

        return new RoutedMessage { From = (uint)message.Sender, To = (uint)(message.Recipient ?? 0), Message = ByteString.CopyFrom(outgoing.Encode()) };
    }

    /// <summary>A message as it arrives: decoded, and a direct payload opened with this node's key.</summary>
    private RoundMessage Receive(RoutedMessage routed)
    {
        var message = RoundMessage.Decode(routed.Message.Span);
        if (message.Recipient is { } to && !message.IsAbort)
        {
            if (to != identity.Party)
            {
                throw new DecodingException(DecodingError.Malformed, "message for another node");
            }

            message = message with { Payload = PayloadCrypto.Open(identity.Agreement, message.Payload, Binding(message)) };
        }

        return message;
    }

    private static byte[] Binding(RoundMessage m)
    {
        using var t = Transcript.Start("threshold.node.payload")
            .Append("protocol", m.Protocol).Append("sid", m.SessionId).Append("round", (ulong)m.Round)
            .Append("sender", (ulong)m.Sender).Append("recipient", (ulong)(m.Recipient ?? 0));
        return t.Digest();
    }

    private static string Key(byte[] sid) => Convert.ToHexStringLower(sid);

    /// <summary>One running protocol, whatever its output type.</summary>
    private abstract class RunningSession(ProtocolHost host, ProtocolKind kind, byte[] sid)
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>When it last started or took a delivery.</summary>
        public DateTimeOffset LastActive { get; set; } = host.Time.GetUtcNow();

        public ProtocolKind Kind { get; } = kind;

        public abstract PartyStatus Status { get; }

        protected ProtocolHost Host { get; } = host;

        protected byte[] Sid { get; } = sid;

        public abstract IReadOnlyList<RoundMessage> Start();

        public abstract IReadOnlyList<RoundMessage> Deliver(RoundMessage message);

        /// <summary>Gives the run up and wipes its secrets.</summary>
        public abstract void Abandon();

        /// <summary>For presigning, the run's public setup (sent with the first step and with an abort).</summary>
        public ByteString? Setup { get; init; }

        public abstract Task<ProtocolStep> StepAsync(IEnumerable<RoundMessage> outgoing, IEnumerable<Contracts.V1.Refusal> rejected, CancellationToken cancellationToken);
    }

    private sealed class RunningSession<T>(ProtocolHost host, ProtocolKind kind, byte[] sid, Party<T> party, Func<T, ProtocolStep, CancellationToken, Task> complete)
        : RunningSession(host, kind, sid)
    {
        private bool stored;
        private bool started;

        public override PartyStatus Status => party.Status;

        public override IReadOnlyList<RoundMessage> Start() => party.Start();

        public override IReadOnlyList<RoundMessage> Deliver(RoundMessage message) => party.Deliver(message);

        public override void Abandon() => party.Abandon();

        public override async Task<ProtocolStep> StepAsync(IEnumerable<RoundMessage> outgoing, IEnumerable<Contracts.V1.Refusal> rejected, CancellationToken cancellationToken)
        {
            var step = new ProtocolStep { SessionId = ByteString.CopyFrom(Sid) };
            step.Outgoing.AddRange(outgoing.Select(Host.Send));
            step.Refusals.AddRange(rejected);
            step.Awaiting.AddRange(party.Awaiting.Select(a => new Contracts.V1.AwaitedMessage { Round = (uint)a.Round, Sender = (uint)a.Sender, Broadcast = a.Broadcast }));
            if (Setup is { } setup && (!started || party.Status == PartyStatus.Aborted))
            {
                step.PresignSetup = setup;
            }

            started = true;
            if (party.AbortNotice is { } notice)
            {
                step.AbortNotice = ByteString.CopyFrom(notice.Encode());
            }
            step.Status = party.Status switch
            {
                PartyStatus.Completed => ProtocolStatus.Completed,
                PartyStatus.Aborted => ProtocolStatus.Aborted,
                _ => ProtocolStatus.Running,
            };
            if (party.Status == PartyStatus.Completed && !stored)
            {
                stored = true;
                await complete(party.Result, step, cancellationToken).ConfigureAwait(false);
            }

            foreach (var culprit in party.Culprits)
            {
                var c = new Contracts.V1.Culprit
                {
                    NodeId = Host.Members.ByParty(culprit.Party).NodeId,
                    Party = (uint)culprit.Party,
                    Check = culprit.Check,
                    Reason = culprit.Reason,
                };
                c.Evidence.AddRange(culprit.Evidence.Select(e => ByteString.CopyFrom(e.Encode())));
                step.Culprits.Add(c);
            }

            return step;
        }
    }
}

/// <summary>Maps the wire's curve enum.</summary>
internal static class Curves
{
    public static Threshold.Curves.Curve CurveOf(Contracts.V1.Curve curve) => curve switch
    {
        Contracts.V1.Curve.Secp256K1 => Threshold.Curves.Curve.Secp256k1,
        Contracts.V1.Curve.P256 => Threshold.Curves.Curve.P256,
        _ => throw new ThresholdException(ErrorCode.InvalidArgument, "unknown curve"),
    };

    public static Contracts.V1.Curve ToWire(Threshold.Curves.Curve curve) =>
        curve == Threshold.Curves.Curve.P256 ? Contracts.V1.Curve.P256 : Contracts.V1.Curve.Secp256K1;
}
