using Threshold.Opaque.Cluster;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Server;
using Threshold.Opaque.Tests.Support;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.Server;

/// <summary>
/// One node's behaviour: user-id format and freshness at registration, registration states bound to their
/// user, fake answers for unknown users that look like real ones, replay protection, one login error.
/// </summary>
public sealed class NodeBehaviourTests
{
    private static readonly byte[] Password = "hunter2 but longer"u8.ToArray();

    public static TheoryData<string> Suites => TestSetups.SuiteNames;

    [Theory]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789abcdef")]
    [InlineData("0123456789abcdeg0123456789abcdef")]
    [InlineData(" 123456789abcdef0123456789abcdef")]
    public void MalformedUserIdsAreRefusedAtRegistration(string userId)
    {
        using var cluster = NewCluster("ristretto255", "format");
        using var registration = ClientRegistration.Start(cluster.Configuration, Password, new SeededRandom("format client"));
        var request = new NodeRegistrationRequest("node-1", userId, registration.Request.Serialize());
        var error = Assert.Throws<RegistrationException>(() => cluster.Nodes[0].StartRegistration(request));
        Assert.Equal(RegistrationFailure.MalformedUserId, error.Reason);
        Assert.False(UserId.TryParse(userId, out _));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void AUserIdIsNeverRegisteredTwice(string suite)
    {
        using var cluster = NewCluster(suite, "fresh");
        var rng = new SeededRandom("fresh ids");
        var user = UserId.New(rng);
        using (cluster.Register(user, Password))
        {
        }

        // Already registered: every node refuses at once.
        using var again = cluster.Client.StartRegistration(user, Password);
        foreach (var request in again.Requests)
        {
            var error = Assert.Throws<RegistrationException>(() => cluster.Node(request.NodeId).StartRegistration(request));
            Assert.Equal(RegistrationFailure.UserIdNotFresh, error.Reason);
        }

        // Removed: the id stays used.
        Assert.True(cluster.Stores[0].Remove(user));
        Assert.Throws<RegistrationException>(() => cluster.Nodes[0].StartRegistration(again.Requests[0]));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void OfTwoConcurrentRegistrationsOfOneIdOnlyTheFirstToFinishWins(string suite)
    {
        using var cluster = NewCluster(suite, "race", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var user = UserId.New(new SeededRandom("race id"));
        using var first = cluster.Client.StartRegistration(user, Password);
        using var second = cluster.Client.StartRegistration(user, "another password"u8);
        var (firstResponse, firstPending) = node.StartRegistration(first.Requests[0]);
        var (secondResponse, secondPending) = node.StartRegistration(second.Requests[0]);
        using var firstResult = first.Finish([firstResponse]);
        using var secondResult = second.Finish([secondResponse]);
        node.FinishRegistration(firstPending, firstResult.Uploads[0]);
        var error = Assert.Throws<RegistrationException>(() => node.FinishRegistration(secondPending, secondResult.Uploads[0]));
        Assert.Equal(RegistrationFailure.UserIdNotFresh, error.Reason);
        Assert.Equal(1, cluster.Stores[0].Count);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void ARegistrationForAnotherUserCannotBeFinished(string suite)
    {
        using var cluster = NewCluster(suite, "other user", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var rng = new SeededRandom("other user ids");
        var alice = UserId.New(rng);
        var bob = UserId.New(rng);
        using var aliceRegistration = cluster.Client.StartRegistration(alice, Password);
        using var bobRegistration = cluster.Client.StartRegistration(bob, Password);
        var (aliceResponse, alicePending) = node.StartRegistration(aliceRegistration.Requests[0]);
        var (bobResponse, bobPending) = node.StartRegistration(bobRegistration.Requests[0]);

        // The client refuses a response computed for someone else ...
        var clientError = Assert.Throws<RegistrationException>(() => aliceRegistration.Finish([bobResponse]));
        Assert.Equal(RegistrationFailure.UserMismatch, clientError.Reason);

        // ... and the node refuses an upload for another user than the pending registration's.
        using var bobResult = bobRegistration.Finish([bobResponse]);
        var nodeError = Assert.Throws<RegistrationException>(() => node.FinishRegistration(alicePending, bobResult.Uploads[0]));
        Assert.Equal(RegistrationFailure.UserMismatch, nodeError.Reason);

        // The mismatched attempt consumed Alice's pending state; Bob's still finishes.
        var consumed = Assert.Throws<RegistrationException>(() => node.FinishRegistration(alicePending, bobResult.Uploads[0]));
        Assert.Equal(RegistrationFailure.StateConsumed, consumed.Reason);
        node.FinishRegistration(bobPending, bobResult.Uploads[0]);
        Assert.NotNull(cluster.Stores[0].Find(bob));
        Assert.Null(cluster.Stores[0].Find(alice));
        _ = aliceResponse;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void AnUploadWithAnInvalidRecordOrShareIsRefused(string suite)
    {
        using var cluster = NewCluster(suite, "bad upload", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var user = UserId.New(new SeededRandom("bad upload id"));
        using var registration = cluster.Client.StartRegistration(user, Password);
        var (response, pending) = node.StartRegistration(registration.Requests[0]);
        using var result = registration.Finish([response]);
        var upload = result.Uploads[0];

        var identityKey = upload with { Record = [.. new byte[cluster.Configuration.Suite.PublicKeyLength], .. upload.Record.AsSpan(cluster.Configuration.Suite.PublicKeyLength)] };
        Assert.Throws<DecodingException>(() => node.FinishRegistration(pending, identityKey));

        var (_, pending2) = node.StartRegistration(registration.Requests[0]);
        var shortShare = upload with { SealedExportShare = upload.SealedExportShare[..^1] };
        Assert.Equal(RegistrationFailure.MalformedShare, Assert.Throws<RegistrationException>(() => node.FinishRegistration(pending2, shortShare)).Reason);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void UnknownUsersGetAnswersShapedLikeRealOnes(string suite)
    {
        using var cluster = NewCluster(suite, "fake", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var rng = new SeededRandom("fake ids");
        var known = UserId.New(rng);
        var unknown = UserId.New(rng);
        using (cluster.Register(known, Password))
        {
        }

        var s = cluster.Configuration.Suite;
        using var login = ClientLogin.Start(cluster.Configuration, Password, rng);
        var ke1 = login.Message.Serialize();
        NodeLoginResponse Ask(UserId user)
        {
            var (response, pending) = node.StartLogin(new NodeLoginRequest("node-1", user.ToString(), ke1));
            pending.Dispose();
            return response;
        }

        var real1 = Ask(known);
        var real2 = Ask(known);
        var fake1 = Ask(unknown);
        var fake2 = Ask(unknown);

        // Same sizes.
        Assert.Equal(real1.KE2.Length, fake1.KE2.Length);
        Assert.Equal(real1.SealedExportShare.Length, fake1.SealedExportShare.Length);

        // Same behaviour on repetition: the evaluated element (per-user OPRF key) and the share are stable,
        // the masked response and the ephemeral parts are fresh, for real and fake users alike.
        var n = s.PublicKeyLength;
        Assert.Equal(real1.KE2[..n], real2.KE2[..n]);
        Assert.Equal(fake1.KE2[..n], fake2.KE2[..n]);
        Assert.NotEqual(real1.KE2[..n], fake1.KE2[..n]);
        Assert.Equal(real1.SealedExportShare, real2.SealedExportShare);
        Assert.Equal(fake1.SealedExportShare, fake2.SealedExportShare);
        Assert.NotEqual(real1.KE2[n..], real2.KE2[n..]);
        Assert.NotEqual(fake1.KE2[n..], fake2.KE2[n..]);

        // A node restarted with the same setup answers an unknown user with the same OPRF key again.
        using var restartedStore = new InMemoryRegistrationRecordStore();
        var restarted = new OpaqueNode("node-1", cluster.Configuration, cluster.Setups[0], restartedStore, new SeededRandom("restart"));
        var (again, againPending) = restarted.StartLogin(new NodeLoginRequest("node-1", unknown.ToString(), ke1));
        againPending.Dispose();
        Assert.Equal(fake1.KE2[..n], again.KE2[..n]);
        Assert.Equal(fake1.SealedExportShare, again.SealedExportShare);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void EveryLoginFailureAtTheNodeIsTheSameException(string suite)
    {
        using var cluster = NewCluster(suite, "failures", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var rng = new SeededRandom("failure ids");
        var user = UserId.New(rng);
        var stranger = UserId.New(rng);
        using (cluster.Register(user, Password))
        {
        }

        var identities = new PartyIdentities(user.ToBytes(), "node-1"u8.ToArray());
        (ClientLogin Login, NodeLoginResponse Response, PendingLogin Pending) Begin(UserId who, byte[] password)
        {
            var login = ClientLogin.Start(cluster.Configuration, password, rng);
            var (response, pending) = node.StartLogin(new NodeLoginRequest("node-1", who.ToString(), login.Message.Serialize()));
            return (login, response, pending);
        }

        // Right password: works, and its KE3 cannot be replayed, on this state or on a new one.
        var (good, goodResponse, goodPending) = Begin(user, Password);
        using var client = good.Finish(goodResponse.KE2, identities);
        var ke3 = new NodeLoginFinish("node-1", user.ToString(), client.Message.Serialize());
        using (var session = node.FinishLogin(goodPending, ke3))
        {
            Assert.True(session.SessionKey.FixedTimeEquals(client.SessionKey.Span));
        }

        Assert.Throws<OpaqueAuthenticationException>(() => node.FinishLogin(goodPending, ke3));
        var (_, _, freshPending) = Begin(user, Password);
        Assert.Throws<OpaqueAuthenticationException>(() => node.FinishLogin(freshPending, ke3));

        // Tampered KE3.
        var (tampered, tamperedResponse, tamperedPending) = Begin(user, Password);
        using var tamperedClient = tampered.Finish(tamperedResponse.KE2, identities);
        var flipped = tamperedClient.Message.Serialize();
        flipped[^1] ^= 1;
        Assert.Throws<OpaqueAuthenticationException>(() => node.FinishLogin(tamperedPending, new NodeLoginFinish("node-1", user.ToString(), flipped)));

        // A valid KE3 presented as another user's.
        var (other, otherResponse, otherPending) = Begin(user, Password);
        using var otherClient = other.Finish(otherResponse.KE2, identities);
        Assert.Throws<OpaqueAuthenticationException>(() => node.FinishLogin(otherPending, new NodeLoginFinish("node-1", stranger.ToString(), otherClient.Message.Serialize())));

        // Wrong password: the client fails; the node never sees a KE3 it accepts.
        var (wrong, wrongResponse, wrongPending) = Begin(user, "not the password"u8.ToArray());
        Assert.Throws<OpaqueAuthenticationException>(() => wrong.Finish(wrongResponse.KE2, identities));
        Assert.Throws<OpaqueAuthenticationException>(() => node.FinishLogin(wrongPending, new NodeLoginFinish("node-1", user.ToString(), new byte[cluster.Configuration.Suite.HashLength])));

        // Unknown user: the client fails the same way, and so does the node.
        var (unknown, unknownResponse, unknownPending) = Begin(stranger, Password);
        Assert.Throws<OpaqueAuthenticationException>(() => unknown.Finish(unknownResponse.KE2, new PartyIdentities(stranger.ToBytes(), "node-1"u8.ToArray())));
        Assert.Throws<OpaqueAuthenticationException>(() => node.FinishLogin(unknownPending, new NodeLoginFinish("node-1", stranger.ToString(), new byte[cluster.Configuration.Suite.HashLength])));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void UsersWithTheSamePasswordGetIndependentOprfKeys(string suite)
    {
        using var cluster = NewCluster(suite, "independent", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var rng = new SeededRandom("independent ids");
        var alice = UserId.New(rng);
        var bob = UserId.New(rng);
        using (cluster.Register(alice, Password))
        using (cluster.Register(bob, Password))
        {
        }

        using var login = ClientLogin.Start(cluster.Configuration, Password, rng);
        var ke1 = login.Message.Serialize();
        var (forAlice, p1) = node.StartLogin(new NodeLoginRequest("node-1", alice.ToString(), ke1));
        var (forBob, p2) = node.StartLogin(new NodeLoginRequest("node-1", bob.ToString(), ke1));
        p1.Dispose();
        p2.Dispose();
        var n = cluster.Configuration.Suite.PublicKeyLength;
        Assert.NotEqual(forAlice.KE2[..n], forBob.KE2[..n]);

        // Each stored user_seed is the node's own: the two differ, and the derived oprf_seed differs from it.
        var aliceSeed = cluster.Stores[0].Find(alice)!.UserSeed;
        var bobSeed = cluster.Stores[0].Find(bob)!.UserSeed;
        Assert.False(aliceSeed.FixedTimeEquals(bobSeed.Span));
        using var oprfSeed = node.DeriveOprfSeed(aliceSeed);
        Assert.Equal(cluster.Configuration.Suite.HashLength, oprfSeed.Length);
        Assert.NotEqual(Convert.ToHexString(aliceSeed.Span), Convert.ToHexString(oprfSeed.Span[..aliceSeed.Length]));
    }

    [Fact]
    public void MessagesAddressedToAnotherNodeAreRefused()
    {
        using var cluster = NewCluster("p256", "addressing", count: 2, threshold: 1);
        var user = UserId.New(new SeededRandom("addressing id"));
        using var registration = cluster.Client.StartRegistration(user, Password);
        var toNode2 = registration.Requests.Single(r => r.NodeId == "node-2");
        Assert.Equal(RegistrationFailure.NodeMismatch, Assert.Throws<RegistrationException>(() => cluster.Nodes[0].StartRegistration(toNode2)).Reason);

        using var login = cluster.Client.StartLogin(user, Password);
        Assert.Throws<ArgumentException>(() => cluster.Nodes[0].StartLogin(login.Requests.Single(r => r.NodeId == "node-2")));
    }

    [Fact]
    public void MalformedLoginRequestsAreTypedDecodingErrors()
    {
        using var cluster = NewCluster("ristretto255", "malformed", count: 1, threshold: 1);
        var node = cluster.Nodes[0];
        var user = UserId.New(new SeededRandom("malformed id"));
        var ke1Length = (2 * cluster.Configuration.Suite.PublicKeyLength) + 32;
        Assert.Equal("user_id", Assert.Throws<DecodingException>(() => node.StartLogin(new NodeLoginRequest("node-1", "nope", new byte[ke1Length]))).Field);
        Assert.Equal(DecodingError.Identity, Assert.Throws<DecodingException>(() => node.StartLogin(new NodeLoginRequest("node-1", user.ToString(), new byte[ke1Length]))).Reason);
        Assert.Equal("KE1", Assert.Throws<DecodingException>(() => node.StartLogin(new NodeLoginRequest("node-1", user.ToString(), new byte[ke1Length - 1]))).Field);
    }

    private static TestSetups.TestCluster NewCluster(string suite, string seed, int count = 3, int threshold = 2) =>
        new(TestSetups.Configuration(suite), count, threshold, new SeededRandom($"node {suite} {seed}"));
}
