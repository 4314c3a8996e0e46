using System.Diagnostics;
using System.Security.Cryptography;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Cggmp.Signing;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;

namespace Threshold.Adversary;

/// <summary>The protocols a campaign attacks.</summary>
public enum AttackedProtocol
{
    /// <summary>Threshold key generation.</summary>
    Keygen,
    /// <summary>Proactive refresh.</summary>
    Refresh,
    /// <summary>Aux-info (Paillier keys and ring-Pedersen parameters).</summary>
    AuxInfo,
    /// <summary>Presigning (with identification).</summary>
    Presign,
    /// <summary>The online signing round and the combiner's checks.</summary>
    Sign,
}

/// <summary>How a run ended for the honest parties.</summary>
public enum RunOutcome
{
    /// <summary>Every honest party completed.</summary>
    Completed,
    /// <summary>Every honest party aborted.</summary>
    Aborted,
    /// <summary>Some honest parties completed and others aborted (a malicious party split the confirmation round).</summary>
    Split,
    /// <summary>Some honest party is still waiting: a malicious party withheld or spoiled a message.</summary>
    Stalled,
}

/// <summary>What a campaign does.</summary>
public sealed record CampaignOptions
{
    /// <summary>How many runs.</summary>
    public int Runs { get; init; } = 200;

    /// <summary>
    /// Index of the first run. Each run is seeded by the campaign seed and its index, so one run of a long
    /// campaign can be replayed alone (a Replay misbehaviour then draws only on messages this invocation held).
    /// </summary>
    public int FirstRun { get; init; }

    /// <summary>The seed every choice derives from: the same seed replays the same campaign.</summary>
    public string Seed { get; init; } = "threshold";

    /// <summary>Paillier level (2048 by default).</summary>
    public SecurityLevel Level { get; init; } = SecurityLevel.Bits2048;

    /// <summary>A fresh pool with at least 2·<see cref="MaxParties"/> primes of the level's size, for each aux-info run.</summary>
    public required Func<PrimePool> Primes { get; init; }

    /// <summary>Largest n (≥ 2).</summary>
    public int MaxParties { get; init; } = 4;

    /// <summary>Runs only these protocols (all when null).</summary>
    public IReadOnlyList<AttackedProtocol>? Protocols { get; init; }

    /// <summary>Reports each finished run (for progress).</summary>
    public Action<RunRecord>? OnRun { get; init; }
}

/// <summary>One run of a campaign and what was checked on it.</summary>
public sealed record RunRecord
{
    /// <summary>Run number (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>The protocol attacked.</summary>
    public required AttackedProtocol Protocol { get; init; }

    /// <summary>Parties taking part.</summary>
    public required IReadOnlyList<int> Participants { get; init; }

    /// <summary>t.</summary>
    public required int Threshold { get; init; }

    /// <summary>The malicious parties.</summary>
    public required IReadOnlyList<int> Malicious { get; init; }

    /// <summary>Each malicious party's plan.</summary>
    public required string Plan { get; init; }

    /// <summary>Whether the router (aggregator) gave one honest party a different configuration.</summary>
    public required bool ConfigurationFault { get; init; }

    /// <summary>The misbehaviours that actually changed something.</summary>
    public required IReadOnlyList<Misbehaviour> Performed { get; init; }

    /// <summary>How the run ended.</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Every party some honest party named.</summary>
    public required IReadOnlyList<int> Named { get; init; }

    /// <summary>Honest parties some honest party named (must be empty).</summary>
    public required IReadOnlyList<int> HonestBlamed { get; init; }

    /// <summary>Parties the router would hold responsible for a stall.</summary>
    public required IReadOnlyList<int> StallCulprits { get; init; }

    /// <summary>Every guarantee this run broke (must be empty).</summary>
    public required IReadOnlyList<string> Violations { get; init; }

    /// <summary>Wall time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Whether a misbehaviour took effect.</summary>
    public bool Injected => Performed.Count > 0 || ConfigurationFault;

    /// <summary>Whether some honest party aborted.</summary>
    public bool HonestAborted => Outcome is RunOutcome.Aborted or RunOutcome.Split;
}

/// <summary>The totals of a campaign.</summary>
/// <param name="Runs">Every run.</param>
public sealed record CampaignReport(IReadOnlyList<RunRecord> Runs)
{
    /// <summary>Runs in which a misbehaviour took effect.</summary>
    public int Injected => Runs.Count(r => r.Injected);

    /// <summary>Runs in which some honest party aborted.</summary>
    public int Aborts => Runs.Count(r => r.HonestAborted);

    /// <summary>Runs that stalled.</summary>
    public int Stalls => Runs.Count(r => r.Outcome == RunOutcome.Stalled);

    /// <summary>Culprits named, summed over runs (each party once per run).</summary>
    public int CulpritsNamed => Runs.Sum(r => r.Named.Count);

    /// <summary>Honest parties named, summed over runs: must be 0.</summary>
    public int HonestBlamed => Runs.Sum(r => r.HonestBlamed.Count);

    /// <summary>Runs in which an honest party aborted without naming a malicious party: must be 0.</summary>
    public int NobodyNamed => Runs.Count(r => r.Violations.Any(v => v.StartsWith(Campaign.NobodyNamedViolation, StringComparison.Ordinal)));

    /// <summary>Runs that broke any guarantee: must be 0.</summary>
    public IReadOnlyList<RunRecord> Failures => [.. Runs.Where(r => r.Violations.Count > 0)];
}

/// <summary>
/// A seeded campaign of adversarial runs over every protocol: each run picks the protocol, n, t, 1 to
/// n − 1 malicious parties and their misbehaviours (or a router that feeds one honest party another
/// configuration), runs it, and checks: no honest party names an honest party; every honest party that
/// aborts names at least one malicious party; honest parties that complete agree on the output; a third
/// party judging each honest abort notice from public data alone names the same parties; a stall is
/// pinned on malicious parties only.
/// </summary>
public static class Campaign
{
    internal const string NobodyNamedViolation = "aborted without naming";

    private static readonly Misbehaviour[] Generic =
    [
        Misbehaviour.TamperField, Misbehaviour.Equivocate, Misbehaviour.Withhold, Misbehaviour.ForgeEcho,
        Misbehaviour.FalseNotice, Misbehaviour.EmptyNotice, Misbehaviour.Replay, Misbehaviour.WrongKind,
    ];

    /// <summary>Runs the campaign.</summary>
    public static CampaignReport Run(CampaignOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fixtures = new Fixtures(options.Level, options.Primes);
        var held = new List<RoundMessage>();
        var records = new List<RunRecord>();
        for (var index = options.FirstRun; index < options.FirstRun + options.Runs; index++)
        {
            var record = RunOne(options, fixtures, held, index);
            records.Add(record);
            options.OnRun?.Invoke(record);
        }

        return new CampaignReport(records);
    }

    private static RunRecord RunOne(CampaignOptions options, Fixtures fixtures, List<RoundMessage> held, int index)
    {
        var seed = $"{options.Seed}/{index}";
        var random = new Random(BitConverter.ToInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)), 0));
        var protocols = options.Protocols ?? [AttackedProtocol.Keygen, AttackedProtocol.Keygen, AttackedProtocol.Refresh, AttackedProtocol.AuxInfo,
            AttackedProtocol.Presign, AttackedProtocol.Presign, AttackedProtocol.Presign, AttackedProtocol.Sign];
        var protocol = protocols[random.Next(protocols.Count)];
        var n = random.Next(2, options.MaxParties + 1);
        var threshold = random.Next(protocol is AttackedProtocol.Keygen or AttackedProtocol.AuxInfo ? 1 : 2, n + 1);
        var curve = random.Next(2) == 0 ? Curve.Secp256k1 : Curve.P256;
        var participants = protocol is AttackedProtocol.Presign or AttackedProtocol.Sign
            ? [.. Enumerable.Range(1, n).OrderBy(_ => random.Next()).Take(random.Next(threshold, n + 1)).Order()]
            : Enumerable.Range(1, n).ToList();
        var configurationFault = protocol != AttackedProtocol.Sign && random.Next(10) == 0;
        var malicious = configurationFault ? [] : participants.OrderBy(_ => random.Next()).Take(random.Next(1, participants.Count)).Order().ToList();
        var plans = malicious.ToDictionary(m => m, m => (IReadOnlyList<PlannedMisbehaviour>)[.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => Plan(protocol, participants, m, random))]);

        var watch = Stopwatch.StartNew();
        var context = new RunContext(fixtures, protocol, curve, n, threshold, participants, malicious, plans, configurationFault, seed, held, random);
        var (outcome, named, stall, violations, performed) = protocol switch
        {
            AttackedProtocol.Sign => context.RunSign(),
            _ => context.RunParties(),
        };
        var honest = participants.Except(malicious).ToHashSet();
        return new RunRecord
        {
            Index = index,
            Protocol = protocol,
            Participants = participants,
            Threshold = threshold,
            Malicious = malicious,
            Plan = string.Join("; ", plans.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
            ConfigurationFault = configurationFault,
            Performed = [.. performed.Order()],
            Outcome = outcome,
            Named = [.. named.Order()],
            HonestBlamed = [.. named.Where(honest.Contains).Order()],
            StallCulprits = [.. stall.Order()],
            Violations = violations,
            Elapsed = watch.Elapsed,
        };
    }

    private static PlannedMisbehaviour Plan(AttackedProtocol protocol, IReadOnlyList<int> participants, int self, Random random)
    {
        Misbehaviour[] specific = protocol switch
        {
            AttackedProtocol.Presign => [Misbehaviour.WrongDelta, Misbehaviour.WrongChiCommitment, Misbehaviour.BadEncryptionProof],
            AttackedProtocol.AuxInfo => [Misbehaviour.BadProvision],
            AttackedProtocol.Sign => [Misbehaviour.WrongPartialSignature],
            _ => [],
        };
        var pool = protocol == AttackedProtocol.Sign ? specific : [.. Generic, .. specific, .. specific];
        var behaviour = pool[random.Next(pool.Length)];
        var lastRound = protocol == AttackedProtocol.Presign ? 5 : 4;
        var others = participants.Where(p => p != self).ToList();
        var targets = others.Where(_ => random.Next(2) == 0).ToHashSet();
        if (targets.Count == 0)
        {
            targets.Add(others[random.Next(others.Count)]);
        }

        return new PlannedMisbehaviour(behaviour, random.Next(1, lastRound + 1), targets);
    }

    /// <summary>One run's set-up and its checks.</summary>
    private sealed class RunContext(
        Fixtures fixtures,
        AttackedProtocol protocol,
        Curve curve,
        int n,
        int threshold,
        IReadOnlyList<int> participants,
        IReadOnlyList<int> malicious,
        IReadOnlyDictionary<int, IReadOnlyList<PlannedMisbehaviour>> plans,
        bool configurationFault,
        string seed,
        List<RoundMessage> held,
        Random random)
    {
        private readonly (IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory, IReadOnlyList<AuxInfo> Aux) parties = fixtures.Parties(n);

        private HashSet<int> Honest => [.. participants.Except(malicious)];

        private bool Plans(int party, Misbehaviour behaviour) => plans.GetValueOrDefault(party, []).Any(p => p.Behaviour == behaviour);

        private HashSet<Misbehaviour> Deviations(int party) => malicious.Contains(party) ? [.. plans.GetValueOrDefault(party, []).Select(p => p.Behaviour)] : [];

        private PartyIdentity Identity(int party) => new(parties.Signers[party - 1], parties.Directory);

        private byte[] SessionId(string what) => System.Text.Encoding.UTF8.GetBytes($"{what} {seed}");

        public (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) RunParties() => protocol switch
        {
            AttackedProtocol.Keygen => RunKeygen(),
            AttackedProtocol.Refresh => RunRefresh(),
            AttackedProtocol.AuxInfo => RunAuxInfo(),
            _ => RunPresign(),
        };

        private (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) RunKeygen()
        {
            var config = new KeygenConfig(curve, threshold, participants, SessionId("keygen"));
            var faulty = configurationFault ? Honest.First() : 0;
            var rng = new SeededRandom(seed);
            var list = participants.Select(i => Keygen.Create(
                i == faulty ? config with { Threshold = threshold == 1 ? 2 : threshold - 1 } : config,
                Identity(i),
                rng.Fork($"party-{i}"))).ToList();
            return Execute(list, Keygen.Context(config, parties.Directory), (a, b) => a.PublicKey.Equals(b.PublicKey) && participants.All(p => a.PublicShares[p].Equals(b.PublicShares[p])));
        }

        private (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) RunRefresh()
        {
            var shares = fixtures.Key(curve, threshold, n);
            var sid = SessionId("refresh");
            var faulty = configurationFault ? Honest.First() : 0;
            var rng = new SeededRandom(seed);
            var list = participants.Select(i => KeyRefresh.Create(shares[i - 1], i == faulty ? SessionId("refresh elsewhere") : sid, Identity(i), rng.Fork($"party-{i}"))).ToList();
            var config = new KeygenConfig(curve, threshold, participants, sid, shares[0].PublicKey) { RefreshedShares = shares[0].PublicShares };
            return Execute(list, Keygen.Context(config, parties.Directory), (a, b) => a.PublicKey.Equals(b.PublicKey) && participants.All(p => a.PublicShares[p].Equals(b.PublicShares[p])));
        }

        private (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) RunAuxInfo()
        {
            var config = new AuxInfoConfig(fixtures.Level, participants, SessionId("aux-info"));
            var faulty = configurationFault ? Honest.First() : 0;
            var rng = new SeededRandom(seed);
            var pool = fixtures.Primes();
            var list = participants.Select(i => DeviatingParties.CreateAuxInfo(
                i == faulty ? config with { Context = [1] } : config,
                Identity(i),
                rng.Fork($"party-{i}"),
                pool,
                Deviations(i))).ToList();
            return Execute(list, AuxInfoProtocol.Context(config, parties.Directory), (a, b) => participants.All(p => a.PaillierKeys[p].N == b.PaillierKeys[p].N && a.Setups[p].Equals(b.Setups[p])));
        }

        private (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) RunPresign()
        {
            var shares = fixtures.Key(curve, threshold, n);
            var config = new PresignConfig(participants, SessionId("presign"));
            var faulty = configurationFault ? Honest.First() : 0;
            var outsider = Enumerable.Range(1, n).FirstOrDefault(p => !participants.Contains(p));
            var rng = new SeededRandom(seed);
            var list = participants.Select(i =>
            {
                var own = i != faulty ? config : outsider != 0 ? config with { Signers = [.. participants, outsider] } : config with { SessionId = SessionId("presign elsewhere") };
                return DeviatingParties.CreatePresign(own, shares[i - 1], parties.Aux[i - 1], Identity(i), rng.Fork($"party-{i}"), Deviations(i), random);
            }).ToList();
            var setup = PresignSetup.From(participants, shares[0], parties.Aux[0]);
            return Execute(list, Presign.Context(setup, config.SessionId, parties.Directory), (a, b) =>
                a.Commitments.R.Equals(b.Commitments.R) && participants.All(p => a.Commitments.RBar[p].Equals(b.Commitments.RBar[p]) && a.Commitments.S[p].Equals(b.Commitments.S[p])));
        }

        /// <summary>Runs the parties against the adversary and checks every guarantee.</summary>
        private (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) Execute<T>(List<Party<T>> list, SessionContext thirdParty, Func<T, T, bool> sameOutput)
        {
            var adversary = new Adversary(
                malicious.ToDictionary(m => m, m => parties.Signers[m - 1]),
                plans,
                participants,
                DeviatingParties.CheckCodes(protocol),
                held,
                random);
            // Deviations made from inside a party's state machine count once planned: they take effect when its run gets there.
            adversary.Performed.UnionWith(plans.Values.SelectMany(p => p).Select(p => p.Behaviour).Where(DeviatingParties.IsInternal));
            var violations = new List<string>();
            AdversarialRun<T> run;
            try
            {
                run = AdversarialNetwork.Run(list, adversary, random);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                violations.Add($"crashed: {e.GetType().Name}: {e.Message}");
                return (RunOutcome.Stalled, [], new HashSet<int>(), violations, adversary.Performed);
            }

            var honest = run.Parties.Where(p => Honest.Contains(p.Index)).ToList();
            var named = honest.SelectMany(p => p.Culprits.Select(c => c.Party)).ToHashSet();
            foreach (var party in honest.Where(p => p.Status == PartyStatus.Aborted))
            {
                if (party.Culprits.Count == 0 || party.Culprits.All(c => Honest.Contains(c.Party)))
                {
                    violations.Add($"{NobodyNamedViolation} a malicious party: party {party.Index}");
                }

                foreach (var c in party.Culprits.Where(c => Honest.Contains(c.Party)))
                {
                    violations.Add($"honest party {party.Index} named honest party {c.Party} ({c.Check}: {c.Reason})");
                }

                var verdict = ComplaintJudge.Judge(thirdParty, RoundMessage.Decode(party.AbortNotice!.Encode())).Select(c => c.Party).ToHashSet();
                if (!verdict.SetEquals(party.Culprits.Select(c => c.Party)))
                {
                    violations.Add($"a third party judging party {party.Index}'s notice names [{string.Join(",", verdict)}], the party named [{string.Join(",", party.Culprits.Select(c => c.Party))}]");
                }
            }

            var completed = honest.Where(p => p.Status == PartyStatus.Completed).ToList();
            if (completed.Skip(1).Any(p => !sameOutput(p.Result, completed[0].Result)))
            {
                violations.Add("honest parties completed with different outputs");
            }

            var stall = new HashSet<int>() as IReadOnlySet<int>;
            var running = honest.Where(p => p.Status == PartyStatus.Running).ToList();
            if (running.Count > 0 && !configurationFault)
            {
                stall = StallAnalysis.Culprits(
                    running.ToDictionary(p => p.Index, p => p.Awaiting),
                    (waiting, m) => run.Delivered.Contains((waiting, m.Round, m.Sender, m.Broadcast)),
                    run.Refusals.Where(r => Honest.Contains(r.Recipient)).Select(r => r.Producer));
                if (stall.Count == 0 || stall.Any(Honest.Contains))
                {
                    violations.Add($"stall pinned on [{string.Join(",", stall.Order())}]");
                }
            }

            if (configurationFault && named.Count > 0)
            {
                violations.Add("a configuration mismatch got parties named");
            }

            if (malicious.Count == 0 && !configurationFault && completed.Count != honest.Count)
            {
                violations.Add("an honest run did not complete");
            }

            var outcome = running.Count > 0 ? RunOutcome.Stalled
                : completed.Count == honest.Count ? RunOutcome.Completed
                : completed.Count == 0 ? RunOutcome.Aborted
                : RunOutcome.Split;
            return (outcome, named, stall, violations, adversary.Performed);
        }

        /// <summary>The online round: an honest presignature, then malicious signers send wrong σ_i; the combiner must name exactly them.</summary>
        public (RunOutcome, HashSet<int>, IReadOnlySet<int>, List<string>, HashSet<Misbehaviour>) RunSign()
        {
            var shares = fixtures.Key(curve, threshold, n);
            var config = new PresignConfig(participants, SessionId("sign"));
            var rng = new SeededRandom(seed);
            var list = participants.Select(i => Presign.Create(config, shares[i - 1], parties.Aux[i - 1], Identity(i), rng.Fork($"party-{i}"))).ToList();
            var violations = new List<string>();
            if (!InMemoryNetwork.Run(list).AllCompleted)
            {
                violations.Add("honest presigning failed");
                return (RunOutcome.Aborted, [], new HashSet<int>(), violations, []);
            }

            var digest = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
            var partials = list.Select(p => p.Result.Sign(digest)).ToList();
            var performed = new HashSet<Misbehaviour>();
            var honestSigma = partials.First(p => !malicious.Contains(p.Party)).Sigma;
            for (var k = 0; k < partials.Count; k++)
            {
                if (malicious.Contains(partials[k].Party) && Plans(partials[k].Party, Misbehaviour.WrongPartialSignature))
                {
                    var sigma = random.Next(3) switch
                    {
                        0 => Scalar.Random(curve, rng),
                        1 => partials[k].Sigma + Scalar.One(curve),
                        _ => honestSigma,
                    };
                    if (!sigma.Equals(partials[k].Sigma))
                    {
                        performed.Add(Misbehaviour.WrongPartialSignature);
                    }

                    partials[k] = partials[k] with { Sigma = sigma };
                }
            }

            var commitments = list[0].Result.Commitments;
            var ok = SignatureCombiner.TryCombine(commitments, digest, partials, out var signature, out var failure);
            var named = failure?.Culprits.ToHashSet() ?? [];
            var wrong = partials.Where(p => !SignatureCombiner.IsValid(commitments, digest, p)).Select(p => p.Party).ToHashSet();
            if (named.Any(Honest.Contains))
            {
                violations.Add($"combiner named honest signers [{string.Join(",", named.Where(Honest.Contains))}]");
            }

            if (!named.SetEquals(wrong))
            {
                violations.Add("combiner did not name exactly the wrong partial signatures");
            }

            if (ok && !Ecdsa.Verify(commitments.PublicKey, digest, signature!.R, signature.S))
            {
                violations.Add("combined signature does not verify");
            }

            return (ok ? RunOutcome.Completed : RunOutcome.Aborted, named, new HashSet<int>(), violations, performed);
        }
    }
}
