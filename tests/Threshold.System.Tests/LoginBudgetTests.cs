using Google.Protobuf;
using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>
/// The login budget (issue #11, item 4): one login is one charged attempt however many nodes answer,
/// malformed requests cost nothing, a right password is never counted as a guess (even with fewer than
/// t nodes up), an empty budget says "locked until" distinctly from a wrong password and refills with
/// time, and an operator can unlock a user, which every node records in its audit log.
/// </summary>
public sealed class LoginBudgetTests
{
    private static readonly byte[] Password = LoginScene.Password;

    private static readonly LoginBudgetPolicy Small = new(3, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));

    [Fact]
    public async Task TwoMistypedPasswordsThenTheRightOneLogsIn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(LoginBudgetPolicy.Default);
        var user = await scene.RegisterAsync(ct);

        // Each mistyped login reached all three nodes and cost one attempt, not three.
        Assert.Equal(ClientErrorKind.LoginFailed, (await scene.TryLoginAsync(user, "correct horse battery stapel"u8.ToArray(), null, ct))?.Kind);
        Assert.Equal(ClientErrorKind.LoginFailed, (await scene.TryLoginAsync(user, "Correct horse battery staple"u8.ToArray(), null, ct))?.Kind);
        Assert.Equal(8, await scene.TokensLeftAsync(user, ct));

        Assert.Null(await scene.TryLoginAsync(user, Password, null, ct));
        Assert.Equal(8, await scene.TokensLeftAsync(user, ct)); // the successful attempt was given back
        Assert.All(scene.Vaults.Keys, node => Assert.Equal([("ok", "")], scene.Audit(node, user, "login"))); // a wrong guess never sends KE3
    }

    [Fact]
    public async Task GarbageLoginStartsForEveryNodeChargeNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(Small);
        var user = await scene.RegisterAsync(ct);

        // Many times the budget of logins with a well-formed user and attempt id but KE1s that do not decode:
        // every node refuses each before charging.
        for (var i = 0; i < 20; i++)
        {
            var garbage = new LoginStartRequest { UserId = user, AttemptId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()) };
            garbage.Ke1.AddRange(scene.Cluster.Nodes.Select(n => new NodeBytes { NodeId = n.NodeId, Payload = ByteString.CopyFrom(new byte[i % 2 == 0 ? 96 : 7]) }));
            var answer = await scene.Wallet.LoginStartAsync(garbage, ct);
            Assert.Empty(answer.Responses);
            Assert.Empty(answer.LockedNodes);
            Assert.Equal(3, answer.UnavailableNodes.Count);
        }

        // The same garbage straight at a node: INVALID_ARGUMENT, nothing stored.
        var direct = await Assert.ThrowsAsync<ThresholdException>(() => scene.Cluster.Nodes[0].LoginStartAsync(
            new NodeLoginStartRequest { UserId = user, AttemptId = ByteString.CopyFrom(new byte[16]), Ke1 = ByteString.CopyFrom(new byte[96]) }, ct));
        Assert.Equal(ErrorCode.InvalidArgument, direct.Code);

        Assert.Equal(3, await scene.TokensLeftAsync(user, ct));
        Assert.Equal(new LoginStoreUsage(0, 0, 0, 0), await scene.Consensus.SweepLoginStateAsync(ct));
        Assert.All(scene.Cluster.Nodes, n => Assert.Equal(0, n.PendingLogins));
        Assert.Null(await scene.TryLoginAsync(user, Password, null, ct));
    }

    [Fact]
    public async Task TheRightPasswordWithFewerThanTNodesUpDoesNotLockTheUser()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(Small);
        var user = await scene.RegisterAsync(ct);
        scene.Links["node-2"].Down = true;
        scene.Links["node-3"].Down = true;

        // Ten retries, more than three times the budget: node-1 answers and charges each attempt, and the
        // KE3 that proves the password gives each back. The wallet hears "too few nodes", not "wrong password".
        for (var i = 0; i < 10; i++)
        {
            var error = await scene.TryLoginAsync(user, Password, null, ct);
            Assert.Equal(ClientErrorKind.TooFewNodes, error?.Kind);
        }

        Assert.Equal(3, await scene.TokensLeftAsync(user, ct));

        // A wrong password in the same state is a guess, and is charged.
        Assert.Equal(ClientErrorKind.LoginFailed, (await scene.TryLoginAsync(user, "wrong"u8.ToArray(), null, ct))?.Kind);
        Assert.Equal(2, await scene.TokensLeftAsync(user, ct));

        scene.Links["node-2"].Down = false;
        Assert.Null(await scene.TryLoginAsync(user, Password, null, ct));
    }

    [Fact]
    public async Task AnEmptyBudgetSaysLockedUntilAndRefillsWithTime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(Small);
        var user = await scene.RegisterAsync(ct);
        var start = scene.Clock.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ClientErrorKind.LoginFailed, (await scene.TryLoginAsync(user, "guess"u8.ToArray(), null, ct))?.Kind);
        }

        // Spent: even the right password is refused, as "locked until", which is not "wrong password".
        var locked = await scene.TryLoginAsync(user, Password, null, ct);
        Assert.Equal(ClientErrorKind.LoginLocked, locked?.Kind);
        Assert.Equal(start + Small.RefillInterval, locked!.LockedUntil);
        Assert.Contains("locked until", locked.Message, StringComparison.Ordinal);

        // The refusal took nothing and stored nothing; the charge that emptied the budget was audited once.
        Assert.Equal(3, (await scene.Consensus.SweepLoginStateAsync(ct)).Attempts);
        Assert.Equal(new LoginBudgetState(0, start + Small.RefillInterval), await scene.Consensus.LoginBudgetAsync(user, Small, ct));
        Assert.Single(scene.Vaults.Values.SelectMany(v => v.Audit), a => a.Owner == user && a.Outcome == "budget spent");

        // Not yet…
        scene.Clock.Advance(Small.RefillInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(ClientErrorKind.LoginLocked, (await scene.TryLoginAsync(user, Password, null, ct))?.Kind);

        // …one interval after the lock, one attempt is back, and the right password gets in (and keeps it).
        scene.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await scene.TryLoginAsync(user, Password, null, ct));
        Assert.Equal(1, await scene.TokensLeftAsync(user, ct));

        // The budget refills to its burst and no further.
        scene.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(3, await scene.TokensLeftAsync(user, ct));
    }

    [Fact]
    public async Task AnOperatorUnlockLetsTheUserInAndEveryNodeAuditsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(new LoginBudgetPolicy(2, TimeSpan.FromHours(8), TimeSpan.FromMinutes(10)));
        var user = await scene.RegisterAsync(ct);
        await scene.TryLoginAsync(user, "guess 1"u8.ToArray(), null, ct);
        await scene.TryLoginAsync(user, "guess 2"u8.ToArray(), null, ct);
        Assert.Equal(ClientErrorKind.LoginLocked, (await scene.TryLoginAsync(user, Password, null, ct))?.Kind);

        // What `threshold node unlock` writes, then what each node runtime does every second.
        var sequence = await scene.Consensus.UnlockLoginAsync(user, "alice@ops-host", "identity checked by phone", ct);
        foreach (var node in scene.Cluster.Nodes)
        {
            Assert.Equal(1, await node.ApplyLoginUnlocksAsync(ct));
            Assert.Equal(0, await node.ApplyLoginUnlocksAsync(ct)); // applied once
            var (outcome, detail) = Assert.Single(scene.Audit(node.NodeId, user, "login_unlock"));
            Assert.Equal("ok", outcome);
            Assert.Contains($"unlock #{sequence}", detail, StringComparison.Ordinal);
            Assert.Contains("by alice@ops-host: identity checked by phone", detail, StringComparison.Ordinal);
        }

        Assert.Null(await scene.TryLoginAsync(user, Password, null, ct));
        Assert.Equal(2, await scene.TokensLeftAsync(user, ct));
    }

    [Fact]
    public async Task GuessesSpreadAcrossNodesDrawOnOneBudget()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(new LoginBudgetPolicy(2, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)));
        var user = await scene.RegisterAsync(ct);

        // Two wrong guesses, each at a different pair of nodes: the budget is shared, so both count.
        await scene.TryLoginAsync(user, "guess 1"u8.ToArray(), ["node-1", "node-2"], ct);
        await scene.TryLoginAsync(user, "guess 2"u8.ToArray(), ["node-3", "node-1"], ct);

        // Now the right password is refused at every node, including node-2 and node-3, which saw one guess each.
        var locked = await scene.TryLoginAsync(user, Password, ["node-2", "node-3"], ct);
        Assert.Equal(ClientErrorKind.LoginLocked, locked?.Kind);
    }

    [Fact]
    public async Task ConcurrentAttemptsCannotOvertakeTheBudget()
    {
        // Twenty well-formed attempts at once against a burst of three: each is charged before it is
        // answered, so exactly three get a KE2 and the rest hear "locked".
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(Small);
        var user = await scene.RegisterAsync(ct);
        var node = scene.Cluster.Nodes[0];
        var attempts = Enumerable.Range(0, 20).Select(_ => scene.ForgedLoginStart(user, "a guess"u8.ToArray())).ToList();
        var outcomes = await Task.WhenAll(attempts.Select(a => Task.Run(
            async () =>
            {
                try
                {
                    await node.LoginStartAsync(new NodeLoginStartRequest { UserId = user, AttemptId = a.AttemptId, Ke1 = a.Ke1[0].Payload }, ct);
                    return (ErrorCode?)null;
                }
                catch (ThresholdException e)
                {
                    return e.Code;
                }
            },
            ct)));
        Assert.Equal(3, outcomes.Count(k => k is null));
        Assert.Equal(17, outcomes.Count(k => k == ErrorCode.LoginLocked));
    }

    [Fact]
    public async Task OneAttemptBuysOneKe1PerNodeForOnePassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(Small);
        var user = await scene.RegisterAsync(ct);
        var attempt = scene.ForgedLoginStart(user, "guess a"u8.ToArray());
        var other = scene.ForgedLoginStart(user, "guess b"u8.ToArray());
        NodeLoginStartRequest At(int node, LoginStartRequest login) => new() { UserId = user, AttemptId = attempt.AttemptId, Ke1 = login.Ke1[node].Payload };

        await scene.Cluster.Nodes[0].LoginStartAsync(At(0, attempt), ct);
        await scene.Cluster.Nodes[1].LoginStartAsync(At(1, attempt), ct);

        // The same node again under the same attempt: refused, or one charge would buy endless KE2s.
        var again = await Assert.ThrowsAsync<ThresholdException>(() => scene.Cluster.Nodes[0].LoginStartAsync(At(0, attempt), ct));
        Assert.Equal(ErrorCode.FailedPrecondition, again.Code);

        // Another password (another blinded element) under the same attempt: refused, one attempt tests one password.
        var swapped = await Assert.ThrowsAsync<ThresholdException>(() => scene.Cluster.Nodes[2].LoginStartAsync(At(2, other), ct));
        Assert.Equal(ErrorCode.InvalidArgument, swapped.Code);

        Assert.Equal(2, await scene.TokensLeftAsync(user, ct));
        Assert.Equal(1, (await scene.Consensus.SweepLoginStateAsync(ct)).Attempts);
    }
}
