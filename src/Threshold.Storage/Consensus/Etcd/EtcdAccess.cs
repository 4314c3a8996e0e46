using System.Globalization;
using System.Text.Json;
using Authpb;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Threshold.Storage.Internal;
using static Threshold.Storage.Consensus.Etcd.EtcdConnection;

namespace Threshold.Storage.Consensus.Etcd;

/// <summary>
/// The operator's side of the etcd consensus store, run with the root client certificate (CN
/// <c>root</c>): sets up role-based access so that each node's certificate may read the whole prefix and
/// write only its own <c>nodes/{node}/</c> keys, and writes the unlock journal (nodes only read it).
/// </summary>
public sealed class EtcdAccess : IDisposable
{
    /// <summary>The etcd user (and client certificate CN) of the administrator.</summary>
    public const string RootUser = "root";

    private readonly EtcdClient client;
    private readonly EtcdConnectionOptions options;
    private readonly TimeProvider clock;

    /// <summary>Connects with <paramref name="options"/>, whose client certificate must have CN <c>root</c>.</summary>
    public EtcdAccess(EtcdConnectionOptions options, TimeProvider? timeProvider = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        client = Open(options);
        clock = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Creates (where missing) the root user, one user and role per node (user name = the node id = its
    /// certificate's CN, no password: etcd authenticates it by its client certificate), grants each role
    /// read on the prefix and read-write on the node's own prefix, and enables authentication. Safe to run
    /// again, with more nodes or for another prefix.
    /// </summary>
    public async Task SetUpAsync(IEnumerable<string> nodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        await IgnoreExistingAsync(deadline => client.UserAddAsync(new AuthUserAddRequest { Name = RootUser, Options = new UserAddOptions { NoPassword = true } }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        await CallAsync(options.CallTimeout, deadline => client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = RootUser, Role = "root" }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        foreach (var node in nodes)
        {
            Names.Id(node, nameof(nodes));
            var role = $"threshold-node-{node}";
            await IgnoreExistingAsync(deadline => client.RoleAddAsync(new AuthRoleAddRequest { Name = role }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            await GrantAsync(role, Permission.Types.Type.Read, options.Prefix, cancellationToken).ConfigureAwait(false);
            await GrantAsync(role, Permission.Types.Type.Readwrite, $"{options.Prefix}nodes/{Component(node)}/", cancellationToken).ConfigureAwait(false);
            await IgnoreExistingAsync(deadline => client.UserAddAsync(new AuthUserAddRequest { Name = node, Options = new UserAddOptions { NoPassword = true } }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            await CallAsync(options.CallTimeout, deadline => client.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = node, Role = role }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // etcd 3.4 has no AuthStatus; enabling again is harmless.
        await CallAsync(options.CallTimeout, deadline => client.AuthEnableAsync(new AuthEnableRequest(), deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An operator's unlock: appends it to the journal and starts a new epoch for the user (what nodes
    /// charged before stops counting), in one transaction. Returns the journal sequence.
    /// </summary>
    public async Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(by, nameof(by));
        Names.Details(reason);
        var next = options.Prefix + "unlocks/next";
        for (var race = 0; race < 64; race++)
        {
            var current = await CallAsync(options.CallTimeout, deadline => client.GetAsync(next, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            var (last, revision) = current.Kvs.Count == 0 ? (0L, 0L) : (long.Parse(current.Kvs[0].Value.ToStringUtf8(), CultureInfo.InvariantCulture), current.Kvs[0].ModRevision);
            var unlock = new LoginUnlock(last + 1, user, DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds()), by, reason);
            var sequence = unlock.Sequence.ToString(CultureInfo.InvariantCulture);
            var txn = new TxnRequest();
            txn.Compare.Add(new Compare { Key = Key(next), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision });
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key(next), Value = ByteString.CopyFromUtf8(sequence) } });
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key($"{options.Prefix}unlocks/journal/{unlock.Sequence.ToString("D19", CultureInfo.InvariantCulture)}"), Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(unlock, SignedValueJson.Default.LoginUnlock)) } });
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key($"{options.Prefix}unlocks/users/{Component(user)}"), Value = ByteString.CopyFromUtf8(sequence) } });
            var response = await CallAsync(options.CallTimeout, deadline => client.TransactionAsync(txn, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            if (response.Succeeded)
            {
                return unlock.Sequence;
            }
        }

        throw new ConsensusUnavailableException("lost 64 races for the unlock journal");
    }

    /// <inheritdoc />
    public void Dispose() => client.Dispose();

    private Task GrantAsync(string role, Permission.Types.Type type, string prefix, CancellationToken cancellationToken) =>
        CallAsync(
            options.CallTimeout,
            deadline => client.RoleGrantPermissionAsync(
                new AuthRoleGrantPermissionRequest { Name = role, Perm = new Permission { PermType = type, Key = Key(prefix), RangeEnd = PrefixEnd(prefix) } },
                deadline: deadline,
                cancellationToken: cancellationToken),
            cancellationToken);

    private async Task IgnoreExistingAsync<T>(Func<DateTime, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(options.CallTimeout, call, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition && e.Status.Detail.Contains("already exists", StringComparison.Ordinal))
        {
            // Set up before: keep it.
        }
    }
}
