using Threshold.Client;
using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>The failed-login budget is summed over nodes through the consensus store.</summary>
[Trait("Category", "Slow")]
public sealed class LoginBudgetTests
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    [Fact]
    public async Task GuessesSpreadAcrossNodesExhaustTheBudgetEverywhere()
    {
        var ct = TestContext.Current.CancellationToken;
        var consensus = new InMemoryConsensusStore();
        await using var cluster = await InProcessCluster.StartAsync(3, 2, loginLimit: 100, consensus: consensus, clusterLoginLimit: 4);
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);

        // Two wrong guesses, each at a different pair of nodes: four failures in all, two per node at most.
        await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, "guess 1"u8.ToArray(), ["node-1", "node-2"], ct));
        await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, "guess 2"u8.ToArray(), ["node-3", "node-1"], ct));
        Assert.Equal(4, await consensus.FailedLoginTotalAsync(user, ct));

        // Now even the right password is refused, at every node, including one that saw few failures.
        var refused = await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, Password, cancellationToken: ct));
        Assert.Equal(ClientErrorKind.LoginFailed, refused.Kind);
        Assert.Empty(client.SessionNodes);
    }

    [Fact]
    public async Task ConcurrentAttemptsCannotOvertakeTheBudget()
    {
        // Twenty KE1s at once against a limit of five: each is charged before it is answered, so only
        // five get past the budget (here to be refused as malformed); the rest are refused as spent.
        var ct = TestContext.Current.CancellationToken;
        var consensus = new InMemoryConsensusStore();
        await using var cluster = await InProcessCluster.StartAsync(3, 2, loginLimit: 100, consensus: consensus, clusterLoginLimit: 5);
        var node = cluster.Nodes[0];
        var attempts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            try
            {
                await node.LoginStartAsync(new Contracts.V1.NodeBytesRequest { UserId = "a-user", Payload = Google.Protobuf.ByteString.CopyFrom(new byte[96]) }, ct);
                return (Threshold.Node.NodeErrorKind?)null;
            }
            catch (Threshold.Node.NodeException e)
            {
                return e.Kind;
            }
        }, ct));
        var outcomes = await Task.WhenAll(attempts);
        Assert.Equal(5, outcomes.Count(k => k != Threshold.Node.NodeErrorKind.ResourceExhausted));
    }

    [Fact]
    public async Task BelowTheBudgetTheRightPasswordStillWorks()
    {
        var ct = TestContext.Current.CancellationToken;
        var consensus = new InMemoryConsensusStore();
        await using var cluster = await InProcessCluster.StartAsync(3, 2, consensus: consensus, clusterLoginLimit: 10);
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, "wrong"u8.ToArray(), cancellationToken: ct));
        await client.LoginAsync(user, Password, cancellationToken: ct);
        Assert.Equal(3, client.SessionNodes.Count);
        Assert.Equal(0, await consensus.FailedLoginTotalAsync(user, ct)); // each node cleared its own counter
    }
}
