using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Signing;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Curves;

namespace Threshold.Aggregator;

/// <summary>
/// threshold.v1.Wallet.Sign (CGGMP21 Fig. 8): one call per signer, carrying the user's sealed request and
/// a presignature id, then each partial signature checked, combined and verified. A slow or failing
/// signer is hedged once with another signer set; the first complete set wins.
/// </summary>
internal sealed class Signing(AggregatorOptions options, ClusterNodes nodes, PresignatureSupply supply, PresignaturePool pool, Presigner presigner, SignerSelection selection, ILogger logger)
{
    private double partialRoundTripMs = 25; // moving average of a complete set of partial signatures

    /// <summary>
    /// Uses a ready presignature of t nodes that hold the user's sealed request (or makes one), asks its
    /// signers for their partial signatures, checks each, combines and verifies. The signers' sealed replies
    /// go back to the wallet, which reads the key's public key from them.
    /// </summary>
    public async Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken)
    {
        if (request.RequestId.Length != 16 || string.IsNullOrEmpty(request.KeyId))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "a key id and a 16-byte request id are required");
        }

        var attempt = new SignAttempt(request, nodes.Known(request.Requests.Select(e => (e.NodeId, e))).ToDictionary(x => nodes.PartyOf[x.NodeId], x => x.Item));
        var response = new SignResponse();
        var candidates = Candidates(attempt);
        if (candidates.Count < options.Threshold)
        {
            response.Failure = new OperationFailure
            {
                Reason = $"only {candidates.Count} of the {options.Threshold} nodes needed are reachable with a sealed request",
                UnresponsiveNodes = { attempt.Envelopes.Keys.Where(p => !candidates.Contains(p)).Select(p => nodes.ByParty[p].NodeId) },
            };
            return response;
        }

        var presignature = supply.Take(request.KeyId, candidates);
        if (presignature is null)
        {
            var (made, incidents) = await presigner.PresignAmongAsync(request.KeyId, candidates, cancellationToken).ConfigureAwait(false);
            if (made is null)
            {
                incidents.Reason = "no presignature could be made for the available nodes";
                incidents.UnresponsiveNodes.AddRange(NodeIds(Unreachable(attempt, candidates)).Except(incidents.UnresponsiveNodes));
                response.Failure = incidents;
                return response;
            }

            if (incidents.Culprits.Count + incidents.UnresponsiveNodes.Count + incidents.RefusingNodes.Count > 0)
            {
                incidents.Reason = "left out after failing a presigning run; the others signed";
                response.Excluded = incidents;
            }

            presignature = made;
        }

        (presignature, var answers) = await CollectPartialsAsync(attempt, presignature, candidates, cancellationToken).ConfigureAwait(false);
        response.Replies.AddRange(attempt.Replies);
        supply.Refill(request.KeyId);
        if (answers.Values.Any(a => !a.Signed))
        {
            if (candidates.Count - attempt.Sessionless.Count < options.Threshold)
            {
                throw ClusterNodes.Sessionless(attempt.Sessionless.Select(p => nodes.ByParty[p].NodeId));
            }

            var silent = answers.Where(e => !e.Value.Signed).Select(e => e.Key).ToList();
            AggregatorLog.SignFailed(logger, request.KeyId, "some signers did not sign", "none", string.Join(", ", silent));
            selection.Fail(answers.Where(e => e.Value.Failed).Select(e => nodes.PartyOf[e.Key]));
            var unresponsive = NodeIds(Unreachable(attempt, candidates).Concat(attempt.Unresponsive)).Union(attempt.Incidents.UnresponsiveNodes).ToList();
            response.Failure = new OperationFailure
            {
                Reason = "some signers did not sign",
                UnresponsiveNodes = { unresponsive },
                RefusingNodes = { NodeIds(attempt.Refusing.Concat(attempt.Sessionless)).Union(attempt.Incidents.RefusingNodes).Except(unresponsive) },
                Culprits = { attempt.Incidents.Culprits },
            };
            return response;
        }

        if (attempt.Incidents.Culprits.Count + attempt.Incidents.UnresponsiveNodes.Count + attempt.Incidents.RefusingNodes.Count > 0)
        {
            // The hedge's presigning left nodes out on the way; the others signed.
            response.Excluded ??= new OperationFailure();
            response.Excluded.MergeFrom(attempt.Incidents);
            response.Excluded.Reason = "left out after failing a presigning run; the others signed";
        }

        return Combine(request, presignature, answers.ToDictionary(e => e.Key, e => e.Value.Response!), response);
    }

    /// <summary>Checks every partial signature, then combines them and verifies the signature; names the signers whose share is wrong.</summary>
    private SignResponse Combine(SignRequest request, PresignatureInfo presignature, Dictionary<string, PartialSignResponse> partials, SignResponse response)
    {
        // Each share counts for the party we asked, whatever index it claims; one that does not decode is wrong.
        var commitments = Commitments(presignature);
        var shares = new List<PartialSignature>();
        var culprits = new List<Contracts.V1.Culprit>();
        foreach (var (nodeId, partial) in partials)
        {
            var party = nodes.PartyOf[nodeId];
            try
            {
                shares.Add(new PartialSignature(party, Scalar.Decode(commitments.Curve, partial.Sigma.Span, "σ_j")));
            }
            catch (DecodingException e)
            {
                culprits.Add(new Contracts.V1.Culprit { NodeId = nodeId, Party = (uint)party, Check = "sign.partial", Reason = e.Message });
            }
        }

        // Each signer signs the digest sealed to it by the wallet, and says which: its σ_j is checked against
        // that digest. Only a wallet (or a signer lying about its digest, which its σ_j then shows) makes
        // the digests differ; the signature is combined only when they agree.
        var digests = partials.ToDictionary(e => nodes.PartyOf[e.Key], e => e.Value.Digest.ToByteArray());
        foreach (var share in shares.Where(s => digests[s.Party].Length != 32 || !SignatureCombiner.IsValid(commitments, digests[s.Party], s)))
        {
            culprits.Add(new Contracts.V1.Culprit { NodeId = nodes.ByParty[share.Party].NodeId, Party = (uint)share.Party, Check = "sign.partial", Reason = "σ_j·R ≠ m·R̄_j + r·S_j for the digest it reports" });
        }

        EcdsaSignature? signature = null;
        var digest = digests.Values.First();
        if (culprits.Count == 0 && digests.Values.Any(d => !d.AsSpan().SequenceEqual(digest)))
        {
            AggregatorLog.SignFailed(logger, request.KeyId, "signers were sealed different digests", "none", "none");
            response.Failure = new OperationFailure { Reason = "the sealed requests name different digests; nobody is to blame but their sender" };
            return response;
        }

        if (culprits.Count == 0 && !SignatureCombiner.TryCombine(commitments, digest, shares, out signature, out var failure))
        {
            culprits.AddRange(failure!.Culprits.Select(p => new Contracts.V1.Culprit { NodeId = nodes.ByParty[p].NodeId, Party = (uint)p, Check = "sign.partial", Reason = "σ_j·R ≠ m·R̄_j + r·S_j" }));
        }

        if (culprits.Count > 0)
        {
            AggregatorLog.SignFailed(logger, request.KeyId, "wrong partial signatures", string.Join(", ", culprits.Select(c => $"{c.NodeId} ({c.Check})")), "none");
            selection.Fail(culprits.Select(c => (int)c.Party));
            response.Failure = new OperationFailure { Reason = "wrong partial signatures", Culprits = { culprits } };
            return response;
        }

        response.R = ByteString.CopyFrom(signature!.R.Encode());
        response.S = ByteString.CopyFrom(signature.S.Encode());
        response.RecoveryId = (uint)signature.RecoveryId;
        response.Digest = ByteString.CopyFrom(digest);
        response.Signers.AddRange(presignature.Signers.Select(p => nodes.ByParty[(int)p].NodeId));
        return response;
    }

    /// <summary>The parties that got a sealed request but were not asked: the probes found them unreachable.</summary>
    private static IEnumerable<int> Unreachable(SignAttempt attempt, IReadOnlySet<int> candidates) => attempt.Envelopes.Keys.Where(p => !candidates.Contains(p));

    private List<string> NodeIds(IEnumerable<int> parties) => [.. parties.Distinct().Order().Select(p => nodes.ByParty[p].NodeId)];

    /// <summary>The parties that got a sealed request, less those the probes found unreachable while t others remain.</summary>
    private HashSet<int> Candidates(SignAttempt attempt)
    {
        var sealedTo = attempt.Envelopes.Keys.ToHashSet();
        var reachable = sealedTo.Where(p => nodes.IsReachable(nodes.ByParty[p].NodeId)).ToHashSet();
        return reachable.Count >= options.Threshold ? reachable : sealedTo;
    }

    /// <summary>
    /// Asks the presignature's signers for their partial signatures. When a signer has not answered within
    /// the hedge delay (four times the usual round trip, between 100 ms and 2 s), or a signer failed, other
    /// candidates are asked too, with a presignature from the pool or made now (each node's authorisation
    /// allows two partial signatures of the one digest): the first complete set wins. A signer that refuses
    /// the user's request (its sealed reply says why) is left out like a failed one: a request that every
    /// node refuses fails with the second set, and one node cannot stop signing by refusing.
    /// </summary>
    private async Task<(PresignatureInfo Presignature, Dictionary<string, SignerAnswer> Answers)> CollectPartialsAsync(
        SignAttempt attempt, PresignatureInfo presignature, IReadOnlySet<int> candidates, CancellationToken cancellationToken)
    {
        using var losing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = Stopwatch.StartNew();
        var first = Ask(attempt, presignature, losing.Token);
        var all = Task.WhenAll(first.Values);
        var hedgeDelay = TimeSpan.FromMilliseconds(Math.Clamp(4 * Volatile.Read(ref partialRoundTripMs), 100, 2000));
        if (await Task.WhenAny(all, Task.Delay(hedgeDelay, cancellationToken)).ConfigureAwait(false) == all)
        {
            var answers = await Results(first).ConfigureAwait(false);
            if (answers.Values.All(a => a.Signed))
            {
                Volatile.Write(ref partialRoundTripMs, (0.8 * Volatile.Read(ref partialRoundTripMs)) + (0.2 * watch.Elapsed.TotalMilliseconds));
                return (presignature, answers);
            }

            if (candidates.Count - attempt.Sessionless.Count < options.Threshold)
            {
                return (presignature, answers); // the wallet must log in again
            }
        }

        // Hedge around the signers still out and those that failed, once t others are there: while too few
        // are (another signer merely slow too), wait for the next answer rather than give up on the set.
        HashSet<int> slow, failed, others;
        while (true)
        {
            slow = [.. first.Where(e => !e.Value.IsCompleted).Select(e => nodes.PartyOf[e.Key])];
            failed = [.. first.Where(e => e.Value.IsCompleted && !e.Value.Result.Signed).Select(e => nodes.PartyOf[e.Key])];
            others = [.. candidates.Where(p => !slow.Contains(p) && !failed.Contains(p))];
            if (others.Count >= options.Threshold || slow.Count == 0)
            {
                break;
            }

            await Task.WhenAny(first.Values.Where(t => !t.IsCompleted)).ConfigureAwait(false);
        }

        if (slow.Count == 0 && failed.Count == 0)
        {
            return (presignature, await Results(first).ConfigureAwait(false)); // all signed while we waited
        }

        selection.Fail(slow.Concat(first.Where(e => e.Value.IsCompleted && e.Value.Result.Failed).Select(e => nodes.PartyOf[e.Key])));
        var hedge = pool.Take(attempt.Request.KeyId, selection.Trusted(others)) ?? pool.Take(attempt.Request.KeyId, others);
        if (hedge is null && others.Count >= options.Threshold)
        {
            (hedge, var incidents) = await presigner.PresignAmongAsync(attempt.Request.KeyId, others, cancellationToken).ConfigureAwait(false);
            attempt.Incidents.MergeFrom(incidents);
        }

        if (hedge is null)
        {
            return (presignature, await Results(first).ConfigureAwait(false));
        }

        AggregatorLog.SignHedged(logger, attempt.Request.KeyId, string.Join(", ", slow.Concat(failed).Select(p => nodes.ByParty[p].NodeId)));
        using var alsoLosing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var second = Ask(attempt, hedge, alsoLosing.Token);
        var firstSet = Results(first);
        var secondSet = Results(second);
        var winner = await Task.WhenAny(firstSet, secondSet).ConfigureAwait(false);
        if ((await winner.ConfigureAwait(false)).Values.Any(a => !a.Signed))
        {
            winner = winner == firstSet ? secondSet : firstSet; // the first to finish failed: the other may still succeed
        }

        await (winner == firstSet ? alsoLosing : losing).CancelAsync().ConfigureAwait(false);
        return (winner == firstSet ? presignature : hedge, await winner.ConfigureAwait(false));
    }

    /// <summary>
    /// One partial-signature call per signer of <paramref name="presignature"/>, each with its deadline.
    /// A signer that has not opened the user's sealed request yet gets it with the call.
    /// </summary>
    private Dictionary<string, Task<SignerAnswer>> Ask(SignAttempt attempt, PresignatureInfo presignature, CancellationToken cancellationToken) =>
        presignature.Signers.Select(s => (int)s).ToDictionary(p => nodes.ByParty[p].NodeId, async p =>
        {
            var call = new PartialSignRequest
            {
                KeyId = attempt.Request.KeyId,
                RequestId = attempt.Request.RequestId,
                PresignatureId = presignature.PresignatureId,
                SealedRequest = attempt.HasOpened(p) ? null : attempt.Envelopes[p],
            };
            try
            {
                var (partial, error) = await nodes.CallAsync(nodes.ByParty[p], (node, ct) => node.PartialSignAsync(call, ct), cancellationToken).ConfigureAwait(false);
                attempt.Record(p, partial, error);
                return new SignerAnswer(partial, error as NodeCallException);
            }
            catch (OperationCanceledException)
            {
                return new SignerAnswer(null, null); // the other signer set won
            }
        });

    private static async Task<Dictionary<string, SignerAnswer>> Results(Dictionary<string, Task<SignerAnswer>> calls)
    {
        await Task.WhenAll(calls.Values).ConfigureAwait(false);
        return calls.ToDictionary(e => e.Key, e => e.Value.Result);
    }

    private static PresignatureCommitments Commitments(PresignatureInfo info)
    {
        var curve = info.Curve == Contracts.V1.Curve.P256 ? Threshold.Curves.Curve.P256 : Threshold.Curves.Curve.Secp256k1;
        var signers = info.Signers.Select(s => (int)s).ToList();
        return new PresignatureCommitments(
            curve,
            Point.Decode(curve, info.PublicKey.Span),
            Point.Decode(curve, info.R.Span),
            signers.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => Point.Decode(curve, info.RBar[x.i].Span)),
            signers.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => Point.Decode(curve, info.S[x.i].Span)));
    }

    /// <summary>What one signer answered: its partial signature, its sealed refusal, or its error (neither: not waited for).</summary>
    private sealed record SignerAnswer(PartialSignResponse? Response, NodeCallException? Error)
    {
        /// <summary>It returned a partial signature.</summary>
        public bool Signed => Response is { Sigma.Length: > 0 };

        /// <summary>It failed for a reason of its own (unreachable, too slow, refusing the call): counted against it.</summary>
        public bool Failed => Response is null && Error is not { Code: ErrorCode.Unauthenticated };
    }

    /// <summary>One sign request on its way: the sealed requests, which signers opened theirs, their sealed replies.</summary>
    private sealed class SignAttempt(SignRequest request, Dictionary<int, ChannelEnvelope> envelopes)
    {
        private readonly ConcurrentDictionary<int, ChannelEnvelope> replies = new();
        private readonly ConcurrentDictionary<int, bool> sessionless = new();
        private readonly ConcurrentDictionary<int, bool> unresponsive = new();
        private readonly ConcurrentDictionary<int, bool> refusing = new();

        public SignRequest Request { get; } = request;

        /// <summary>The user's sealed request to each node, by party.</summary>
        public Dictionary<int, ChannelEnvelope> Envelopes { get; } = envelopes;

        /// <summary>The sealed replies of the signers that opened their request.</summary>
        public IEnumerable<ChannelEnvelope> Replies => replies.OrderBy(e => e.Key).Select(e => e.Value);

        /// <summary>The parties that know no session for the request.</summary>
        public ICollection<int> Sessionless => sessionless.Keys;

        /// <summary>What presigning for the hedge reported (culprits, unresponsive, refusing), if it ran.</summary>
        public OperationFailure Incidents { get; } = new();

        /// <summary>The parties asked that did not answer (unreachable, or out of time).</summary>
        public ICollection<int> Unresponsive => unresponsive.Keys;

        /// <summary>The parties asked that answered with a refusal (of the call, or of the user's request).</summary>
        public ICollection<int> Refusing => refusing.Keys;

        /// <summary>Whether <paramref name="party"/> opened its sealed request already (a second call must not send it again: the channel would refuse the replay).</summary>
        public bool HasOpened(int party) => replies.ContainsKey(party);

        public void Record(int party, PartialSignResponse? response, Exception? error)
        {
            if (response?.Reply is { } reply)
            {
                replies.TryAdd(party, reply);
            }

            var outcome = error switch
            {
                NodeCallException { Code: ErrorCode.Unauthenticated } => sessionless,
                NodeCallException { Code: null } or OperationCanceledException => unresponsive, // a node that cannot sign now (its consensus store down) answers, with a refusal
                NodeCallException => refusing,
                _ when response is { Sigma.Length: 0 } => refusing,
                _ => null,
            };
            outcome?.TryAdd(party, true);
        }
    }
}
