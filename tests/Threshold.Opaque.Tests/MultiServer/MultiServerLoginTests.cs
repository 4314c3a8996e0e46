using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Tests.Support;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.MultiServer;

/// <summary>
/// The multi-server client against n = 5 nodes with t = 3: any three nodes log in, two never do; the
/// session keys are per node and pairwise; the export key is the same at registration and at every login.
/// </summary>
public sealed class MultiServerLoginTests
{
    private static readonly byte[] Password = "a password for five nodes"u8.ToArray();

    public static TheoryData<string> Suites => TestSetups.SuiteNames;

    [Theory]
    [MemberData(nameof(Suites))]
    public void AnyThreeOfFiveNodesLogIn(string suite)
    {
        using var cluster = NewCluster(suite, "any three");
        var user = UserId.New(new SeededRandom("any three id"));
        using var registeredExportKey = cluster.Register(user, Password);
        var ids = cluster.Nodes.Select(n => n.NodeId).ToArray();
        var subsets = 0;
        for (var a = 0; a < 5; a++)
        {
            for (var b = a + 1; b < 5; b++)
            {
                for (var c = b + 1; c < 5; c++)
                {
                    string[] chosen = [ids[a], ids[b], ids[c]];
                    var (client, sessions) = cluster.Login(user, Password, chosen);
                    using (client)
                    {
                        Assert.True(client.ExportKey.FixedTimeEquals(registeredExportKey.Span));
                        Assert.Equal(chosen, client.SessionKeys.Keys.Order());
                        Assert.Empty(client.FailedNodes);
                        foreach (var session in sessions)
                        {
                            Assert.Equal(user, session.UserId);
                            Assert.True(client.SessionKeys[session.NodeId].FixedTimeEquals(session.SessionKey.Span));
                            session.Dispose();
                        }

                        // Pairwise: k_i differs per node.
                        Assert.Equal(3, client.SessionKeys.Values.Select(k => Convert.ToHexString(k.Span)).Distinct().Count());
                    }

                    subsets++;
                }
            }
        }

        Assert.Equal(10, subsets);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void TwoNodesAreNotEnough(string suite)
    {
        using var cluster = NewCluster(suite, "two");
        var user = UserId.New(new SeededRandom("two id"));
        using (cluster.Register(user, Password))
        {
        }

        var error = Assert.Throws<ThresholdNotMetException>(() => cluster.Login(user, Password, ["node-2", "node-4"]));
        Assert.Equal(3, error.Threshold);
        Assert.Equal(["node-2", "node-4"], error.Authenticated);
        Assert.Empty(error.Failed);
        Assert.Equal(["node-2", "node-4"], error.Confirmations.Select(c => c.NodeId));
        Assert.Contains("needs 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void AllFiveLogInAndAnyMissingAnswersAreTolerated(string suite)
    {
        using var cluster = NewCluster(suite, "missing");
        var user = UserId.New(new SeededRandom("missing id"));
        using var exportKey = cluster.Register(user, Password);

        // Everyone answers.
        var (all, allSessions) = cluster.Login(user, Password, cluster.Nodes.Select(n => n.NodeId));
        using (all)
        {
            Assert.Equal(5, all.SessionKeys.Count);
            Assert.True(all.ExportKey.FixedTimeEquals(exportKey.Span));
        }

        allSessions.ForEach(s => s.Dispose());

        // Two nodes are down: three answers still suffice; three down do not.
        foreach (var (down, succeeds) in new[] { (new[] { "node-1", "node-5" }, true), (new[] { "node-1", "node-3", "node-5" }, false) })
        {
            using var login = cluster.Client.StartLogin(user, Password);
            var responses = login.Requests
                .Where(r => !down.Contains(r.NodeId))
                .Select(r => cluster.Node(r.NodeId).StartLogin(r).Response)
                .ToList();
            if (succeeds)
            {
                using var result = login.Finish(responses);
                Assert.Equal(down, result.FailedNodes);
                Assert.True(result.ExportKey.FixedTimeEquals(exportKey.Span));
            }
            else
            {
                // Two answers cannot reach t = 3; the two that answered still get KE3, as proof of the password.
                var error = Assert.Throws<ThresholdNotMetException>(() => login.Finish(responses));
                Assert.Equal(["node-2", "node-4"], error.Authenticated);
                Assert.Equal(["node-1", "node-3", "node-5"], error.Failed);
                Assert.Equal(["node-2", "node-4"], error.Confirmations.Select(c => c.NodeId));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void WrongPasswordAndUnknownUserFailTheSameWay(string suite)
    {
        using var cluster = NewCluster(suite, "wrong");
        var rng = new SeededRandom("wrong ids");
        var user = UserId.New(rng);
        using (cluster.Register(user, Password))
        {
        }

        var wrong = Assert.Throws<ThresholdNotMetException>(() => cluster.Login(user, "a password for four nodes"u8.ToArray(), cluster.Nodes.Select(n => n.NodeId)));
        var unknown = Assert.Throws<ThresholdNotMetException>(() => cluster.Login(UserId.New(rng), Password, cluster.Nodes.Select(n => n.NodeId)));
        Assert.Empty(wrong.Authenticated);
        Assert.Empty(unknown.Authenticated);
        Assert.Empty(wrong.Confirmations);
        Assert.Empty(unknown.Confirmations);
        Assert.Equal(wrong.Failed, unknown.Failed);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void ANodeWithATamperedAnswerOrShareIsLeftOut(string suite)
    {
        using var cluster = NewCluster(suite, "tamper");
        var user = UserId.New(new SeededRandom("tamper id"));
        using var exportKey = cluster.Register(user, Password);
        using var login = cluster.Client.StartLogin(user, Password);
        var pending = new Dictionary<string, Threshold.Opaque.Server.PendingLogin>();
        var responses = login.Requests.Select(r =>
        {
            var (response, state) = cluster.Node(r.NodeId).StartLogin(r);
            pending[r.NodeId] = state;
            return response;
        }).ToList();

        // node-2's KE2 is altered in transit; node-4 returns a corrupted sealed share.
        var ke2 = responses[1].KE2.ToArray();
        ke2[^3] ^= 0x10;
        responses[1] = responses[1] with { KE2 = ke2 };
        var share = responses[3].SealedExportShare.ToArray();
        share[20] ^= 0x01;
        responses[3] = responses[3] with { SealedExportShare = share };

        using var result = login.Finish(responses);
        Assert.Equal(["node-2", "node-4"], result.FailedNodes);
        Assert.Equal(["node-1", "node-3", "node-5"], result.Finishes.Select(f => f.NodeId));
        Assert.True(result.ExportKey.FixedTimeEquals(exportKey.Span));
        foreach (var finish in result.Finishes)
        {
            using var session = cluster.Node(finish.NodeId).FinishLogin(pending[finish.NodeId], finish);
            Assert.True(result.SessionKeys[finish.NodeId].FixedTimeEquals(session.SessionKey.Span));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void SharesCannotBeSwappedBetweenNodes(string suite)
    {
        using var cluster = NewCluster(suite, "swap");
        var user = UserId.New(new SeededRandom("swap id"));
        using (cluster.Register(user, Password))
        {
        }

        using var login = cluster.Client.StartLogin(user, Password, ["node-1", "node-2", "node-3"]);
        var responses = login.Requests.Select(r => cluster.Node(r.NodeId).StartLogin(r).Response).ToList();
        (responses[0], responses[1]) = (responses[0] with { SealedExportShare = responses[1].SealedExportShare }, responses[1] with { SealedExportShare = responses[0].SealedExportShare });
        var error = Assert.Throws<ThresholdNotMetException>(() => login.Finish(responses));
        Assert.Equal(["node-3"], error.Authenticated);
        Assert.Equal(["node-3"], error.Confirmations.Select(c => c.NodeId));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void OneLoginIsOneAttemptWithOneBlindedElement(string suite)
    {
        using var cluster = NewCluster(suite, "one attempt");
        var user = UserId.New(new SeededRandom("one attempt id"));
        using var login = cluster.Client.StartLogin(user, Password);
        using var other = cluster.Client.StartLogin(user, Password);
        var elementLength = cluster.Configuration.Suite.PublicKeyLength;
        var nonceLength = cluster.Configuration.Suite.NonceLength;

        // Every node gets the same attempt id and blinded element, and its own nonce and key share.
        Assert.Equal(16, login.AttemptId.Length);
        Assert.All(login.Requests, r => Assert.Equal(login.AttemptId.ToArray(), r.AttemptId));
        Assert.Single(login.Requests.Select(r => Convert.ToHexString(r.KE1.AsSpan(0, elementLength))).Distinct());
        Assert.Equal(5, login.Requests.Select(r => Convert.ToHexString(r.KE1.AsSpan(elementLength, nonceLength))).Distinct().Count());
        Assert.Equal(5, login.Requests.Select(r => Convert.ToHexString(r.KE1.AsSpan(elementLength + nonceLength))).Distinct().Count());

        // Another login is another attempt with another blind.
        Assert.False(login.AttemptId.SequenceEqual(other.AttemptId));
        Assert.NotEqual(Convert.ToHexString(login.Requests[0].KE1.AsSpan(0, elementLength)), Convert.ToHexString(other.Requests[0].KE1.AsSpan(0, elementLength)));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void AnAnswerForAnotherAttemptDoesNotVerify(string suite)
    {
        using var cluster = NewCluster(suite, "other attempt");
        var user = UserId.New(new SeededRandom("other attempt id"));
        using var exportKey = cluster.Register(user, Password);
        using var login = cluster.Client.StartLogin(user, Password);

        // node-1 is handed the KE1 under another attempt id, node-2 without one: their AKEs run under other
        // contexts, so their KE2s fail at the client; the other three suffice.
        var responses = login.Requests.Select(r => r.NodeId switch
        {
            "node-1" => cluster.Node(r.NodeId).StartLogin(r with { AttemptId = new byte[16] }).Response,
            "node-2" => cluster.Node(r.NodeId).StartLogin(r with { AttemptId = null }).Response,
            _ => cluster.Node(r.NodeId).StartLogin(r).Response,
        }).ToList();
        using var result = login.Finish(responses);
        Assert.Equal(["node-1", "node-2"], result.FailedNodes);
        Assert.True(result.ExportKey.FixedTimeEquals(exportKey.Span));

        // An attempt id of another length is malformed.
        var request = login.Requests[0] with { AttemptId = new byte[15] };
        Assert.Equal("attempt_id", Assert.Throws<DecodingException>(() => cluster.Node(request.NodeId).StartLogin(request)).Field);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void WithTooFewNodesTheRightPasswordIsStillConfirmedToThoseThatAnswered(string suite)
    {
        using var cluster = NewCluster(suite, "confirm");
        var user = UserId.New(new SeededRandom("confirm id"));
        using (cluster.Register(user, Password))
        {
        }

        foreach (var (password, confirmed) in new[] { (Password, true), ("not the password"u8.ToArray(), false) })
        {
            using var login = cluster.Client.StartLogin(user, password);
            var pending = new Dictionary<string, Threshold.Opaque.Server.PendingLogin>();
            var responses = login.Requests.Where(r => r.NodeId is "node-1" or "node-5").Select(r =>
            {
                var (response, state) = cluster.Node(r.NodeId).StartLogin(r);
                pending[r.NodeId] = state;
                return response;
            }).ToList();
            var error = Assert.Throws<ThresholdNotMetException>(() => login.Finish(responses));
            if (!confirmed)
            {
                Assert.Empty(error.Confirmations);
                continue;
            }

            // Each node accepts its KE3: the password is proven to it, though no session key was kept.
            Assert.Equal(["node-1", "node-5"], error.Confirmations.Select(c => c.NodeId));
            foreach (var confirmation in error.Confirmations)
            {
                using var session = cluster.Node(confirmation.NodeId).FinishLogin(pending[confirmation.NodeId], confirmation);
                Assert.Equal(user, session.UserId);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void RegistrationNeedsEveryNodeAndThePinnedKeys(string suite)
    {
        using var cluster = NewCluster(suite, "registration");
        var rng = new SeededRandom("registration ids");
        using var registration = cluster.Client.StartRegistration(UserId.New(rng), Password);
        var responses = registration.Requests.Select(r => cluster.Node(r.NodeId).StartRegistration(r).Response).ToList();
        var incomplete = Assert.Throws<RegistrationException>(() => registration.Finish(responses.Take(4)));
        Assert.Equal(RegistrationFailure.IncompleteResponses, incomplete.Reason);
        Assert.Equal("node-5", incomplete.NodeId);

        // A node answering with another key than the pinned one.
        using var imposterSetup = ServerSetup.Generate(cluster.Configuration.Suite, rng);
        using var imposterStore = new Threshold.Opaque.Server.InMemoryRegistrationRecordStore();
        var imposter = new Threshold.Opaque.Server.OpaqueNode("node-3", cluster.Configuration, imposterSetup, imposterStore, rng);
        using var second = cluster.Client.StartRegistration(UserId.New(rng), Password);
        var mixed = second.Requests.Select(r => (r.NodeId == "node-3" ? imposter : cluster.Node(r.NodeId)).StartRegistration(r).Response).ToList();
        var unexpected = Assert.Throws<RegistrationException>(() => second.Finish(mixed));
        Assert.Equal(RegistrationFailure.UnexpectedServerKey, unexpected.Reason);
        Assert.Equal("node-3", unexpected.NodeId);

        // Duplicated answers are refused.
        using var third = cluster.Client.StartRegistration(UserId.New(rng), Password);
        var answers = third.Requests.Select(r => cluster.Node(r.NodeId).StartRegistration(r).Response).ToList();
        Assert.Equal(RegistrationFailure.NodeMismatch, Assert.Throws<RegistrationException>(() => third.Finish([.. answers, answers[0]])).Reason);
    }

    [Fact]
    public void ThresholdOneAndThresholdN()
    {
        var rng = new SeededRandom("edges");
        using (var one = new TestSetups.TestCluster(TestSetups.Configuration("ristretto255"), 3, 1, rng.Fork("t1")))
        {
            var user = UserId.New(rng);
            using var key = one.Register(user, Password);
            foreach (var node in one.Nodes)
            {
                var (result, sessions) = one.Login(user, Password, [node.NodeId]);
                using (result)
                {
                    Assert.True(result.ExportKey.FixedTimeEquals(key.Span));
                }

                sessions.ForEach(s => s.Dispose());
            }
        }

        using var all = new TestSetups.TestCluster(TestSetups.Configuration("p256"), 3, 3, rng.Fork("t3"));
        var everyone = UserId.New(rng);
        using var everyoneKey = all.Register(everyone, Password);
        var (full, fullSessions) = all.Login(everyone, Password, ["node-3", "node-1", "node-2"]);
        using (full)
        {
            Assert.True(full.ExportKey.FixedTimeEquals(everyoneKey.Span));
        }

        fullSessions.ForEach(s => s.Dispose());
        Assert.Throws<ThresholdNotMetException>(() => all.Login(everyone, Password, ["node-1", "node-2"]));
    }

    [Fact]
    public void StartLoginRefusesUnknownOrRepeatedNodes()
    {
        using var cluster = NewCluster("p256", "start");
        var user = UserId.New(new SeededRandom("start id"));
        Assert.Throws<ArgumentException>(() => cluster.Client.StartLogin(user, Password, ["node-1", "node-9"]));
        Assert.Throws<ArgumentException>(() => cluster.Client.StartLogin(user, Password, ["node-1", "node-1", "node-2"]));
        Assert.Throws<ArgumentException>(() => cluster.Client.StartLogin(user, Password, []));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("ristretto255")]
    [InlineData("p256")]
    public void WithArgon2idTheFlowIsTheSame(string suite)
    {
        var configuration = new OpaqueConfiguration(OpaqueSuite.FromName(suite), new Threshold.Opaque.Ksf.Argon2idKsf(Threshold.Opaque.Ksf.Argon2idProfile.Interactive), TestSetups.Context);
        using var cluster = new TestSetups.TestCluster(configuration, 5, 3, new SeededRandom("argon2id cluster " + suite));
        var user = UserId.New(new SeededRandom("argon2id id"));
        using var key = cluster.Register(user, Password);
        var (result, sessions) = cluster.Login(user, Password, ["node-2", "node-3", "node-5"]);
        using (result)
        {
            Assert.True(result.ExportKey.FixedTimeEquals(key.Span));
        }

        sessions.ForEach(s => s.Dispose());
    }

    private static TestSetups.TestCluster NewCluster(string suite, string seed) =>
        new(TestSetups.Configuration(suite), 5, 3, new SeededRandom($"multi {suite} {seed}"));
}
