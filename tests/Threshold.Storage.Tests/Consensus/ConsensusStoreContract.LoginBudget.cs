using Threshold.Storage.Consensus;

namespace Threshold.Storage.Tests.Consensus;

/// <summary>
/// The login budget every consensus store keeps: a token bucket per user (burst, then one attempt per
/// interval), each attempt charged once however many nodes answer it, refunded once every node that
/// answered it has refunded its own part, expiring records,
/// and an unlock journal each node audits.
/// </summary>
public abstract partial class ConsensusStoreContract
{
    private static readonly LoginBudgetPolicy Policy = new(3, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));

    private static readonly byte[] BindingA = Enumerable.Repeat((byte)0xA1, 32).ToArray();

    private static readonly byte[] BindingB = Enumerable.Repeat((byte)0xB2, 32).ToArray();

    [Fact]
    public async Task TheBudgetBurstsThenRefillsOneAttemptPerInterval()
    {
        var start = Clock.GetUtcNow();
        Assert.Equal(new LoginBudgetState(3, null), await Store.LoginBudgetAsync("alice", Policy, Ct));
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Charged, 2, null), await Admit("alice", 1, "node-1"));
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Charged, 1, null), await Admit("alice", 2, "node-2"));
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Charged, 0, start + TimeSpan.FromHours(1)), await Admit("alice", 3, "node-1"));

        // Empty: refused, and the refusal stores no attempt.
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Locked, 0, start + TimeSpan.FromHours(1)), await Admit("alice", 4, "node-3"));
        Assert.Equal(3, (await Store.SweepLoginStateAsync(Ct)).Attempts);
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Charged, 2, null), await Admit("bob", 1, "node-1")); // budgets are per user

        // One interval later exactly one attempt is back.
        Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(LoginAdmissionOutcome.Locked, (await Admit("alice", 5, "node-1")).Outcome);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Charged, 0, start + TimeSpan.FromHours(2)), await Admit("alice", 6, "node-1"));
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Locked, 0, start + TimeSpan.FromHours(2)), await Admit("alice", 7, "node-2"));

        // Left alone, the bucket fills up to the burst and no further.
        Clock.Advance(TimeSpan.FromHours(1.5));
        Assert.Equal(new LoginBudgetState(1, start + TimeSpan.FromHours(3)), await Store.LoginBudgetAsync("alice", Policy, Ct));
        Clock.Advance(TimeSpan.FromDays(30));
        Assert.Equal(new LoginBudgetState(3, null), await Store.LoginBudgetAsync("alice", Policy, Ct));
        Assert.Equal(2, (await Admit("alice", 8, "node-1")).TokensLeft);
    }

    [Fact]
    public async Task AnAttemptIsChargedOnceAndEachNodeAnswersItOnce()
    {
        Assert.Equal(LoginAdmissionOutcome.Charged, (await Admit("alice", 1, "node-1")).Outcome);
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Joined, 2, null), await Admit("alice", 1, "node-2"));
        Assert.Equal(LoginAdmissionOutcome.Joined, (await Admit("alice", 1, "node-3")).Outcome);

        // The same node twice: one attempt id buys one KE1 per node.
        Assert.Equal(LoginAdmissionOutcome.AlreadyServed, (await Admit("alice", 1, "node-2")).Outcome);

        // Another blinded element under the same attempt: one attempt tests one password.
        Assert.Equal(LoginAdmissionOutcome.BindingMismatch, (await Admit("alice", 1, "node-4", BindingB)).Outcome);

        // The same attempt id for another user is another attempt.
        Assert.Equal(LoginAdmissionOutcome.Charged, (await Admit("bob", 1, "node-1")).Outcome);
        Assert.Equal(2, (await Store.LoginBudgetAsync("alice", Policy, Ct)).TokensLeft);
        var usage = await Store.SweepLoginStateAsync(Ct);
        Assert.Equal((2L, 2L, 4L), (usage.Budgets, usage.Attempts, usage.AttemptNodes));
    }

    [Fact]
    public async Task ASuccessfulLoginRefundsItsAttemptOnceEveryNodeThatAnsweredItHas()
    {
        await Admit("alice", 1, "node-1");
        await Admit("alice", 1, "node-2");
        await Admit("alice", 2, "node-1");
        Assert.Equal(1, (await Store.LoginBudgetAsync("alice", Policy, Ct)).TokensLeft);

        // Each node gives back only its own part: the attempt stays charged while node-2 still holds it,
        // so one node can never give back what another node charged.
        Assert.True(await Store.RefundLoginAttemptAsync("alice", Id(1), "node-1", Policy, Ct));
        Assert.False(await Store.RefundLoginAttemptAsync("alice", Id(1), "node-1", Policy, Ct)); // the same node's KE3 again gives nothing more
        Assert.Equal(1, (await Store.LoginBudgetAsync("alice", Policy, Ct)).TokensLeft);
        Assert.False(await Store.RefundLoginAttemptAsync("alice", Id(1), "node-3", Policy, Ct)); // a node that never answered it
        Assert.True(await Store.RefundLoginAttemptAsync("alice", Id(1), "node-2", Policy, Ct));
        Assert.False(await Store.RefundLoginAttemptAsync("alice", Id(9), "node-1", Policy, Ct)); // never charged
        Assert.False(await Store.RefundLoginAttemptAsync("bob", Id(2), "node-1", Policy, Ct));   // another user's id
        Assert.Equal(2, (await Store.LoginBudgetAsync("alice", Policy, Ct)).TokensLeft);

        // A refund after the attempt's record expired gives nothing back.
        Clock.Advance(Policy.AttemptLifetime);
        Assert.False(await Store.RefundLoginAttemptAsync("alice", Id(2), "node-1", Policy, Ct));

        // Refunding the last spent attempt leaves a full budget, which takes no row.
        await Admit("carol", 1, "node-1");
        Assert.True(await Store.RefundLoginAttemptAsync("carol", Id(1), "node-1", Policy, Ct));
        Assert.Equal(new LoginBudgetState(3, null), await Store.LoginBudgetAsync("carol", Policy, Ct));
        Assert.Equal(1, (await Store.SweepLoginStateAsync(Ct)).Budgets); // alice's only

        // A refunded attempt is still known: its id buys no second KE1 at the node.
        Assert.Equal(LoginAdmissionOutcome.AlreadyServed, (await Admit("carol", 1, "node-1")).Outcome);
    }

    [Fact]
    public async Task AttemptsAndBudgetsExpire()
    {
        // A flood of attempts for distinct users: each leaves one budget row and one attempt until they expire.
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(LoginAdmissionOutcome.Charged, (await Admit($"user-{i}", 1, "node-1")).Outcome);
        }

        Assert.Equal(new LoginStoreUsage(50, 50, 50, 0), await Store.SweepLoginStateAsync(Ct));
        Clock.Advance(Policy.AttemptLifetime);
        Assert.Equal(new LoginStoreUsage(50, 0, 0, 0), await Store.SweepLoginStateAsync(Ct));
        Clock.Advance(Policy.RefillInterval - Policy.AttemptLifetime);
        Assert.Equal(new LoginStoreUsage(0, 0, 0, 0), await Store.SweepLoginStateAsync(Ct));

        // An expired attempt id is a new attempt, charged again.
        Assert.Equal(LoginAdmissionOutcome.Charged, (await Admit("user-0", 1, "node-1")).Outcome);
        Clock.Advance(Policy.AttemptLifetime);
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Charged, 1, null), await Admit("user-0", 1, "node-1"));
    }

    [Fact]
    public async Task NoWindowHoldsMoreThanBurstPlusElapsedIntervals()
    {
        // Random arrivals, some refunded (successful logins): in every window, charged minus refunded ≤ B + ⌊T/I⌋.
        var random = new Random(20261207);
        var net = new List<(DateTimeOffset At, int Change)>();
        var refused = 0;
        for (var i = 0; i < 120; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(random.Next(0, 50)));
            var node = $"node-{random.Next(1, 4)}";
            var admission = await Admit("alice", i, node);
            if (admission.Outcome == LoginAdmissionOutcome.Charged)
            {
                net.Add((Clock.GetUtcNow(), 1));
                if (random.Next(4) == 0 && await Store.RefundLoginAttemptAsync("alice", Id(i), node, Policy, Ct))
                {
                    net.Add((Clock.GetUtcNow(), -1));
                }
            }
            else
            {
                Assert.Equal(LoginAdmissionOutcome.Locked, admission.Outcome);
                refused++;
            }
        }

        Assert.InRange(refused, 10, 110); // the run both charged and ran into the limit
        for (var from = 0; from < net.Count; from++)
        {
            var charged = 0;
            for (var to = from; to < net.Count; to++)
            {
                charged += net[to].Change;
                Assert.True(
                    charged <= Policy.MaxChargedWithin(net[to].At - net[from].At),
                    $"{charged} attempts stayed charged between {net[from].At:t} and {net[to].At:t}");
            }
        }
    }

    [Fact]
    public async Task AnUnlockFillsTheBudgetAndIsJournalledForEveryNode()
    {
        for (var i = 0; i < 3; i++)
        {
            await Admit("alice", i, "node-1");
        }

        Assert.Equal(LoginAdmissionOutcome.Locked, (await Admit("alice", 3, "node-1")).Outcome);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var first = await Store.UnlockLoginAsync("alice", "operator on host-1", "user called support, identity checked", Ct);
        Assert.Equal(new LoginBudgetState(3, null), await Store.LoginBudgetAsync("alice", Policy, Ct));
        Assert.Equal(LoginAdmissionOutcome.Charged, (await Admit("alice", 4, "node-1")).Outcome);
        var second = await Store.UnlockLoginAsync("bob", "operator on host-1", "", Ct);
        Assert.True(second > first);

        var journal = await Store.UnauditedLoginUnlocksAsync("node-1", Ct);
        Assert.Equal([first, second], journal.Select(u => u.Sequence));
        Assert.Equal(("alice", Clock.GetUtcNow(), "operator on host-1", "user called support, identity checked"), (journal[0].User, journal[0].At, journal[0].By, journal[0].Reason));

        // Each node keeps its own place in the journal.
        await Store.MarkLoginUnlocksAuditedAsync("node-1", first, Ct);
        Assert.Equal([second], (await Store.UnauditedLoginUnlocksAsync("node-1", Ct)).Select(u => u.Sequence));
        Assert.Equal(2, (await Store.UnauditedLoginUnlocksAsync("node-2", Ct)).Count);
        await Store.MarkLoginUnlocksAuditedAsync("node-1", second, Ct);
        await Store.MarkLoginUnlocksAuditedAsync("node-1", first, Ct); // never moves back
        Assert.Empty(await Store.UnauditedLoginUnlocksAsync("node-1", Ct));
        Assert.Equal(2, (await Store.SweepLoginStateAsync(Ct)).Unlocks);
    }

    [Fact]
    public async Task ConcurrentNodesChargeAnAttemptOnce()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Admit("alice", i / 4, $"node-{i % 4}")));
        Assert.Equal(3, outcomes.Count(o => o.Outcome == LoginAdmissionOutcome.Charged));
        Assert.Equal(9, outcomes.Count(o => o.Outcome == LoginAdmissionOutcome.Joined));
        Assert.Equal(0, (await Store.LoginBudgetAsync("alice", Policy, Ct)).TokensLeft);
    }

    [Fact]
    public async Task LoginArgumentsAreChecked()
    {
        Assert.Throws<ArgumentException>(() => new LoginAttempt(new string('u', 257), Id(1), BindingA, "node-1"));
        Assert.Throws<ArgumentException>(() => new LoginAttempt("alice\u0007", Id(1), BindingA, "node-1"));
        Assert.Throws<ArgumentException>(() => new LoginAttempt("alice", new byte[15], BindingA, "node-1"));
        Assert.Throws<ArgumentException>(() => new LoginAttempt("alice", Id(1), new byte[31], "node-1"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.RefundLoginAttemptAsync("alice", new byte[17], "node-1", Policy, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.UnlockLoginAsync("", "operator", "", Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoginBudgetPolicy(0, TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LoginBudgetPolicy(3, TimeSpan.FromTicks(15_000_001), TimeSpan.FromMinutes(1)));
        Assert.Equal(0, (await Store.SweepLoginStateAsync(Ct)).Budgets);
    }

    [Fact]
    public void TheDefaultPolicyStaysWithinItsStatedBounds()
    {
        var policy = LoginBudgetPolicy.Default;
        Assert.Equal(100, policy.MaxChargedWithin(TimeSpan.FromDays(30)));
        Assert.Equal(1_105, policy.MaxChargedWithin(TimeSpan.FromDays(365)));
        Assert.Equal(13, policy.MaxChargedWithin(TimeSpan.FromDays(1)));
    }

    private static byte[] Id(int n) => [.. BitConverter.GetBytes(n), .. new byte[12]];

    private Task<LoginAdmission> Admit(string user, int attempt, string node, byte[]? binding = null) =>
        Store.AdmitLoginAttemptAsync(new LoginAttempt(user, Id(attempt), binding ?? BindingA, node), Policy, Ct);
}
