using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Rounds.Signing;

namespace Threshold.Aggregator;

/// <summary>
/// threshold.v1.Wallet.GenerateKey: delivers the user's sealed requests to every node, then runs key
/// generation (CGGMP21 Fig. 5) and aux-info (Fig. 6) across all of them.
/// </summary>
internal sealed class KeyGeneration(AggregatorOptions options, ClusterNodes nodes, ProtocolDriver driver, Func<EcdsaPartyKeys> directory, ILogger logger)
{
    /// <summary>Generates the key; on success its id and public key, else the failure with its culprits.</summary>
    public async Task<GenerateKeyResponse> GenerateAsync(GenerateKeyRequest request, CancellationToken cancellationToken)
    {
        if (request.RequestId.Length != 16 || request.Curve is not (Contracts.V1.Curve.Secp256K1 or Contracts.V1.Curve.P256))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "a 16-byte request id and a supported curve are required");
        }

        var perNode = nodes.EveryNode(request.Requests.Select(e => (e.NodeId, e)));
        var response = new GenerateKeyResponse { Curve = request.Curve };
        var replies = await nodes.AllAsync(perNode, (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken).ConfigureAwait(false);
        response.Replies.AddRange(replies.Values);

        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var parties = nodes.ByParty.Keys.Order().Select(p => (uint)p).ToList();
        var keygenRequest = new StartProtocolRequest
        {
            Kind = ProtocolKind.Keygen,
            SessionId = ByteString.CopyFrom(ProtocolSessionIds.New(options.Time)),
            KeyId = keyId,
            RequestId = request.RequestId,
            Owner = request.UserId,
            Curve = request.Curve,
            Threshold = (uint)options.Threshold,
            Parties = { parties },
        };
        var keygenConfig = new KeygenConfig(CurveOf(request.Curve), options.Threshold, [.. parties.Select(p => (int)p)], keygenRequest.SessionId.ToByteArray());
        var keygenContext = Keygen.Context(keygenConfig, directory());
        var keygen = await driver.RunAsync(nodes.ByParty, keygenRequest, directory(), _ => keygenContext, cancellationToken).ConfigureAwait(false);
        if (!keygen.Completed || keygen.Steps.Values.Select(s => s.PublicKey).Distinct().Count() != 1)
        {
            AggregatorLog.Run(logger, "keygen", keygen, keyId);
            response.Failure = OperationFailures.From("key generation did not complete", keygen);
            return response;
        }

        var auxRequest = new StartProtocolRequest
        {
            Kind = ProtocolKind.AuxInfo,
            SessionId = ByteString.CopyFrom(ProtocolSessionIds.New(options.Time)),
            KeyId = keyId,
            RequestId = request.RequestId,
            Parties = { parties },
        };
        var auxConfig = new AuxInfoConfig(options.Level, [.. parties.Select(p => (int)p)], auxRequest.SessionId.ToByteArray()) { Context = keygen.Steps.Values.First().PublicKey.ToByteArray() };
        var auxContext = AuxInfoProtocol.Context(auxConfig, directory());
        var aux = await driver.RunAsync(nodes.ByParty, auxRequest, directory(), _ => auxContext, cancellationToken).ConfigureAwait(false);
        if (!aux.Completed)
        {
            AggregatorLog.Run(logger, "aux-info", aux, keyId);
            response.Failure = OperationFailures.From("aux-info did not complete", aux);
            return response;
        }

        response.KeyId = keyId;
        response.PublicKey = keygen.Steps.Values.First().PublicKey;
        return response;
    }

    private static Threshold.Curves.Curve CurveOf(Contracts.V1.Curve curve) =>
        curve == Contracts.V1.Curve.P256 ? Threshold.Curves.Curve.P256 : Threshold.Curves.Curve.Secp256k1;
}
