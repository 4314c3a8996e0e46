using Threshold.Storage.Consensus;
using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.Consensus;

/// <summary>The behaviour every <see cref="IConsensusStore"/> must have.</summary>
public abstract partial class ConsensusStoreContract : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected ManualClock Clock { get; } = new();

    protected IConsensusStore Store { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync() => Store = await CreateAsync();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Store is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
    }

    protected abstract Task<IConsensusStore> CreateAsync();

    [Fact]
    public async Task PublishedStateVersionsOnlyMoveForward()
    {
        Assert.Null(await Store.StateVersionAsync("node-1", Ct));
        await Store.PublishStateVersionAsync("node-1", 5, Ct);
        await Store.PublishStateVersionAsync("node-1", 5, Ct); // the same again: fine
        await Store.PublishStateVersionAsync("node-2", 2, Ct);
        var error = await Assert.ThrowsAsync<StaleStateVersionException>(() => Store.PublishStateVersionAsync("node-1", 4, Ct));
        Assert.Equal(("node-1", 5L, 4L), (error.Node, error.Published, error.Attempted));
        Assert.Equal(5, await Store.StateVersionAsync("node-1", Ct));
        await Store.PublishStateVersionAsync("node-1", 9, Ct);
        Assert.Equal(9, await Store.StateVersionAsync("node-1", Ct));
        Assert.Equal(2, await Store.StateVersionAsync("node-2", Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.PublishStateVersionAsync("node-1", -1, Ct));
    }

    [Fact]
    public async Task LiveNodesAreThoseWithARecentHeartbeat()
    {
        var start = Clock.GetUtcNow();
        await Store.HeartbeatAsync("node-2", Ct);
        await Store.HeartbeatAsync("node-1", Ct);
        Clock.Advance(TimeSpan.FromSeconds(10));
        await Store.HeartbeatAsync("node-3", Ct);
        Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(["node-3"], (await Store.LiveNodesAsync(TimeSpan.FromSeconds(15), Ct)).Select(h => h.Node));
        var all = await Store.LiveNodesAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(["node-1", "node-2", "node-3"], all.Select(h => h.Node));
        Assert.Equal(start, all[0].LastSeen);
        Assert.Equal(start + TimeSpan.FromSeconds(10), all[2].LastSeen);

        await Store.HeartbeatAsync("node-1", Ct);
        Assert.Equal(["node-1", "node-3"], (await Store.LiveNodesAsync(TimeSpan.FromSeconds(15), Ct)).Select(h => h.Node));
        Assert.Equal(["node-1"], (await Store.LiveNodesAsync(TimeSpan.Zero, Ct)).Select(h => h.Node));
        Assert.Equal(3, (await Store.LiveNodesAsync(TimeSpan.MaxValue, Ct)).Count);
    }

    [Fact]
    public async Task IdsAreChecked()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.LoginBudgetAsync("", LoginBudgetPolicy.Default, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.UnauditedLoginUnlocksAsync("node\n1", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.HeartbeatAsync(new string('n', 300), Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.LiveNodesAsync(TimeSpan.FromSeconds(-1), Ct));
    }
}

public sealed class InMemoryConsensusStoreTests : ConsensusStoreContract
{
    protected override Task<IConsensusStore> CreateAsync() => Task.FromResult<IConsensusStore>(new InMemoryConsensusStore(Clock));
}

public sealed class SqliteConsensusStoreTests : ConsensusStoreContract
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("threshold-consensus-");

    private string FilePath => Path.Combine(directory.FullName, "consensus.db");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }

    protected override async Task<IConsensusStore> CreateAsync() => await SqliteConsensusStore.OpenAsync(FilePath, Clock, Ct);

    [Fact]
    public async Task TwoStoresOnOneFileShareEverything()
    {
        // As two node processes of `threshold cluster up` would: each opens the same file.
        await using var node1 = await SqliteConsensusStore.OpenAsync(FilePath, Clock, Ct);
        await using var node2 = await SqliteConsensusStore.OpenAsync(FilePath, Clock, Ct);

        var policy = new LoginBudgetPolicy(5, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        var attempt = Enumerable.Repeat((byte)7, 16).ToArray();
        var binding = Enumerable.Repeat((byte)9, 32).ToArray();
        Assert.Equal(LoginAdmissionOutcome.Charged, (await node1.AdmitLoginAttemptAsync(new LoginAttempt("alice", attempt, binding, "node-1"), policy, Ct)).Outcome);
        Assert.Equal(new LoginAdmission(LoginAdmissionOutcome.Joined, 4, null), await node2.AdmitLoginAttemptAsync(new LoginAttempt("alice", attempt, binding, "node-2"), policy, Ct));
        Assert.True(await node2.RefundLoginAttemptAsync("alice", attempt, "node-2", policy, Ct));
        Assert.False(await node1.RefundLoginAttemptAsync("alice", attempt, "node-2", policy, Ct));
        Assert.True(await node1.RefundLoginAttemptAsync("alice", attempt, "node-1", policy, Ct));
        Assert.Equal(5, (await node1.LoginBudgetAsync("alice", policy, Ct)).TokensLeft);
        var unlock = await node1.UnlockLoginAsync("alice", "operator", "test", Ct);
        Assert.Equal([unlock], (await node2.UnauditedLoginUnlocksAsync("node-2", Ct)).Select(u => u.Sequence));

        await node1.PublishStateVersionAsync("node-1", 12, Ct);
        Assert.Equal(12, await node2.StateVersionAsync("node-1", Ct));
        await Assert.ThrowsAsync<StaleStateVersionException>(() => node2.PublishStateVersionAsync("node-1", 11, Ct));

        await node1.HeartbeatAsync("node-1", Ct);
        await node2.HeartbeatAsync("node-2", Ct);
        Assert.Equal(["node-1", "node-2"], (await Store.LiveNodesAsync(TimeSpan.FromSeconds(1), Ct)).Select(h => h.Node));

        // Thirty KE1s of ten attempts from two processes at once: ten charges, whatever the interleaving.
        var roomy = new LoginBudgetPolicy(20, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? node1 : node2).AdmitLoginAttemptAsync(
            new LoginAttempt("bob", Enumerable.Repeat((byte)(i / 3), 16).ToArray(), binding, $"node-{(i % 3) + 1}"), roomy, Ct)));
        Assert.Equal(10, outcomes.Count(o => o.Outcome == LoginAdmissionOutcome.Charged));
        Assert.Equal(20, outcomes.Count(o => o.Outcome == LoginAdmissionOutcome.Joined));
        Assert.Equal(10, (await Store.LoginBudgetAsync("bob", roomy, Ct)).TokensLeft);
    }
}
