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
    public async Task FailedLoginsAreSummedOverNodesEachCountingItsOwn()
    {
        Assert.Equal(0, await Store.FailedLoginTotalAsync("alice", Ct));
        Assert.Equal(new FailedLoginCount(1, 1), await Store.RecordFailedLoginAsync("alice", "node-1", Ct));
        Assert.Equal(new FailedLoginCount(2, 2), await Store.RecordFailedLoginAsync("alice", "node-1", Ct));
        Assert.Equal(new FailedLoginCount(1, 3), await Store.RecordFailedLoginAsync("alice", "node-2", Ct));
        Assert.Equal(new FailedLoginCount(1, 4), await Store.RecordFailedLoginAsync("alice", "node-3", Ct));
        Assert.Equal(new FailedLoginCount(1, 1), await Store.RecordFailedLoginAsync("bob", "node-1", Ct));
        Assert.Equal(4, await Store.FailedLoginTotalAsync("alice", Ct));

        // A successful login on node 2 resets node 2's counter only.
        await Store.ResetFailedLoginsAsync("alice", "node-2", Ct);
        Assert.Equal(3, await Store.FailedLoginTotalAsync("alice", Ct));
        Assert.Equal(new FailedLoginCount(3, 4), await Store.RecordFailedLoginAsync("alice", "node-1", Ct));
        await Store.ResetFailedLoginsAsync("alice", "node-1", Ct);
        await Store.ResetFailedLoginsAsync("alice", "node-3", Ct);
        await Store.ResetFailedLoginsAsync("alice", "node-9", Ct); // nothing to reset
        Assert.Equal(0, await Store.FailedLoginTotalAsync("alice", Ct));
        Assert.Equal(1, await Store.FailedLoginTotalAsync("bob", Ct));
    }

    [Fact]
    public async Task ConcurrentFailuresAreAllCounted()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Store.RecordFailedLoginAsync("alice", $"node-{i % 4}", Ct)));
        Assert.Equal(40, await Store.FailedLoginTotalAsync("alice", Ct));
    }

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
        await Assert.ThrowsAsync<ArgumentException>(() => Store.RecordFailedLoginAsync("", "node-1", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.RecordFailedLoginAsync("alice", "node\n1", Ct));
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

        await node1.RecordFailedLoginAsync("alice", "node-1", Ct);
        Assert.Equal(new FailedLoginCount(1, 2), await node2.RecordFailedLoginAsync("alice", "node-2", Ct));
        Assert.Equal(2, await node1.FailedLoginTotalAsync("alice", Ct));
        await node2.ResetFailedLoginsAsync("alice", "node-2", Ct);
        Assert.Equal(1, await node1.FailedLoginTotalAsync("alice", Ct));

        await node1.PublishStateVersionAsync("node-1", 12, Ct);
        Assert.Equal(12, await node2.StateVersionAsync("node-1", Ct));
        await Assert.ThrowsAsync<StaleStateVersionException>(() => node2.PublishStateVersionAsync("node-1", 11, Ct));

        await node1.HeartbeatAsync("node-1", Ct);
        await node2.HeartbeatAsync("node-2", Ct);
        Assert.Equal(["node-1", "node-2"], (await Store.LiveNodesAsync(TimeSpan.FromSeconds(1), Ct)).Select(h => h.Node));

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? node1 : node2).RecordFailedLoginAsync("bob", $"node-{(i % 2) + 1}", Ct)));
        Assert.Equal(30, await Store.FailedLoginTotalAsync("bob", Ct));
    }
}
