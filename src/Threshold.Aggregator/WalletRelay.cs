using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>
/// The wallet calls the aggregator only passes on: OPAQUE registration and login (RFC 9807 §3–§6, one
/// message per node) and sealed requests whose replies only the user can read (get_public_key, logout).
/// It checks the shape of each request before any node is called, and never sees a password or a key.
/// </summary>
internal sealed class WalletRelay(ClusterNodes nodes)
{
    /// <summary>See threshold.v1.Wallet.RegisterStart: every node must take part.</summary>
    public async Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken)
    {
        CheckUserId(request.UserId);
        var perNode = nodes.EveryNode(request.Requests.Select(r => (r.NodeId, r)));
        var responses = await nodes.AllAsync(perNode, (node, r, ct) => node.RegisterStartAsync(new NodeBytesRequest { UserId = request.UserId, Payload = r.Payload }, ct), cancellationToken).ConfigureAwait(false);
        var result = new RegisterStartResponse();
        result.Responses.AddRange(responses.Select(e => new NodeBytes { NodeId = e.Key, Payload = e.Value.Payload }));
        return result;
    }

    /// <summary>See threshold.v1.Wallet.RegisterFinish: every node stores its record.</summary>
    public async Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken)
    {
        CheckUserId(request.UserId);
        var perNode = nodes.EveryNode(request.Uploads.Select(u => (u.NodeId, u)));
        var acks = await nodes.AllAsync(perNode, (node, u, ct) => node.RegisterFinishAsync(new NodeRegistrationUpload { UserId = request.UserId, Record = u.Record, SealedExportShare = u.SealedExportShare }, ct), cancellationToken).ConfigureAwait(false);
        var result = new RegisterFinishResponse();
        result.RegisteredNodes.AddRange(acks.Keys.Order(StringComparer.Ordinal));
        return result;
    }

    /// <summary>
    /// See threshold.v1.Wallet.LoginStart: checks the user id and attempt id (a malformed request reaches
    /// no node), then relays KE1 to each named node; nodes that refuse because the user's budget is empty
    /// are listed with the time it refills, unreachable or otherwise refusing nodes as unavailable.
    /// </summary>
    public async Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken)
    {
        CheckLogin(request.UserId, request.AttemptId, request.Ke1.Count);
        var result = new LoginStartResponse();
        var errors = new Dictionary<string, NodeCallException?>();
        var outcomes = await nodes.EachAsync(
            nodes.Known(request.Ke1.Select(k => (k.NodeId, k))),
            (node, k, ct) => node.LoginStartAsync(new NodeLoginStartRequest { UserId = request.UserId, AttemptId = request.AttemptId, Ke1 = k.Payload }, ct),
            cancellationToken,
            errors: errors,
            quorum: nodes.Threshold,
            graceFactor: 4).ConfigureAwait(false);
        foreach (var (nodeId, response) in outcomes)
        {
            if (response is not null)
            {
                result.Responses.Add(new LoginResponseFromNode { NodeId = nodeId, Ke2 = response.Ke2, SealedExportShare = response.SealedExportShare });
            }
            else if (errors.GetValueOrDefault(nodeId) is { Code: ErrorCode.LoginLocked, LockedUntil: { } until })
            {
                result.LockedNodes.Add(new LoginLocked { NodeId = nodeId, LockedUntilUnixMs = until.ToUnixTimeMilliseconds() });
            }
            else
            {
                result.UnavailableNodes.Add(nodeId);
            }
        }

        return result;
    }

    /// <summary>See threshold.v1.Wallet.LoginFinish: relays KE3; each node that authenticates opens a session.</summary>
    public async Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken)
    {
        CheckLogin(request.UserId, request.AttemptId, request.Ke3.Count);
        var result = new LoginFinishResponse();
        var outcomes = await nodes.EachAsync(
            nodes.Known(request.Ke3.Select(k => (k.NodeId, k))),
            (node, k, ct) => node.LoginFinishAsync(new NodeLoginFinishRequest { UserId = request.UserId, AttemptId = request.AttemptId, Ke3 = k.Payload }, ct),
            cancellationToken,
            quorum: nodes.Threshold,
            graceFactor: 4).ConfigureAwait(false);
        foreach (var (nodeId, response) in outcomes)
        {
            if (response is null)
            {
                result.FailedNodes.Add(nodeId);
            }
            else
            {
                result.Sessions.Add(new NodeSession { NodeId = nodeId, SessionId = response.SessionId, ExpiresAtUnixMs = response.ExpiresAtUnixMs });
            }
        }

        return result;
    }

    /// <summary>See threshold.v1.Wallet.GetPublicKey: relays the sealed requests; the client reads the replies.</summary>
    public async Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken)
    {
        var outcomes = await nodes.EachAsync(nodes.Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, sessionQuorum: nodes.Threshold, quorum: nodes.Threshold).ConfigureAwait(false);
        var response = new GetPublicKeyResponse();
        response.Replies.AddRange(outcomes.Values.OfType<ChannelEnvelope>());
        return response;
    }

    /// <summary>See threshold.v1.Wallet.Logout.</summary>
    public async Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken)
    {
        var outcomes = await nodes.EachAsync(nodes.Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, quorum: nodes.Threshold).ConfigureAwait(false);
        var response = new LogoutResponse();
        response.LoggedOutNodes.AddRange(outcomes.Where(e => e.Value is not null).Select(e => e.Key));
        return response;
    }

    /// <summary>
    /// A login call's user id (the 32 lowercase hex characters every node registers), attempt id (16
    /// bytes) and number of per-node messages (1 to n), checked before any node is called.
    /// </summary>
    private void CheckLogin(string userId, Google.Protobuf.ByteString attemptId, int messages)
    {
        if (!IsUserId(userId) || attemptId.Length != 16 || messages < 1 || messages > nodes.Count)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "a login needs a 32-character lowercase hex user id, a 16-byte attempt id and one message for each of 1 to n nodes");
        }
    }

    private static void CheckUserId(string userId)
    {
        if (!IsUserId(userId))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "a user id is 32 lowercase hexadecimal characters");
        }
    }

    /// <summary>Whether <paramref name="userId"/> has the form every node registers: 32 lowercase hexadecimal characters.</summary>
    private static bool IsUserId(string? userId) => Threshold.Opaque.Cluster.UserId.TryParse(userId, out _);
}
