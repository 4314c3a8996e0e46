// The messages between the multi-server client and one node: the RFC 9807 messages in their wire form,
// tagged with the user and node they belong to. The RPC layer (src/) carries them; nothing here does I/O.
namespace Threshold.Opaque.Cluster;

/// <summary>Registration, step 1 (client → node): RegistrationRequest for <paramref name="UserId"/>.</summary>
/// <param name="NodeId">The node addressed.</param>
/// <param name="UserId">The user id in its text form (the node checks format and freshness).</param>
/// <param name="Request">RegistrationRequest, serialised (RFC 9807 §5.1).</param>
public sealed record NodeRegistrationRequest(string NodeId, string UserId, byte[] Request);

/// <summary>Registration, step 2 (node → client): RegistrationResponse.</summary>
/// <param name="NodeId">The answering node.</param>
/// <param name="UserId">The user the response was computed for.</param>
/// <param name="Response">RegistrationResponse, serialised.</param>
public sealed record NodeRegistrationResponse(string NodeId, string UserId, byte[] Response);

/// <summary>Registration, step 3 (client → node): the record to store and the sealed export-key share.</summary>
/// <param name="NodeId">The node addressed.</param>
/// <param name="UserId">The user registering.</param>
/// <param name="Record">RegistrationRecord, serialised (send it over a confidential channel: it holds the masking key).</param>
/// <param name="SealedExportShare">This node's share of the client's export key, sealed under the node's OPAQUE export_key (opaque to the node).</param>
public sealed record NodeRegistrationUpload(string NodeId, string UserId, byte[] Record, byte[] SealedExportShare);

/// <summary>Login, step 1 (client → node): KE1, and the attempt it belongs to.</summary>
/// <param name="NodeId">The node addressed.</param>
/// <param name="UserId">The user logging in.</param>
/// <param name="KE1">KE1, serialised (RFC 9807 §6.1).</param>
/// <param name="AttemptId">
/// The login attempt (16 bytes the client drew, the same for every node): bound into the AKE context
/// (<see cref="OpaqueConfiguration.ForAttempt"/>). Null runs plain RFC 9807 under the configuration's context.
/// </param>
public sealed record NodeLoginRequest(string NodeId, string UserId, byte[] KE1, byte[]? AttemptId = null)
{
    /// <summary>Length of the attempt ids the multi-server client draws.</summary>
    public const int AttemptIdLength = 16;
}

/// <summary>Login, step 2 (node → client): KE2 and the stored sealed share (a fake one for unknown users).</summary>
/// <param name="NodeId">The answering node.</param>
/// <param name="UserId">The user the answer is for.</param>
/// <param name="KE2">KE2, serialised.</param>
/// <param name="SealedExportShare">The sealed export-key share stored at registration.</param>
public sealed record NodeLoginResponse(string NodeId, string UserId, byte[] KE2, byte[] SealedExportShare);

/// <summary>Login, step 3 (client → node): KE3.</summary>
/// <param name="NodeId">The node addressed.</param>
/// <param name="UserId">The user logging in.</param>
/// <param name="KE3">KE3, serialised.</param>
public sealed record NodeLoginFinish(string NodeId, string UserId, byte[] KE3);
