using Threshold.Opaque.Cluster;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Tests.Support;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.Decoding;

/// <summary>Secrets are redacted in ToString, wiped on Dispose and unusable afterwards.</summary>
public sealed class SecretHandlingTests
{
    [Fact]
    public void SecretBytesAreRedactedAndWiped()
    {
        byte[] value = [0xde, 0xad, 0xbe, 0xef];
        var secret = new SecretBytes(value);
        Assert.Equal("[secret: 4 bytes]", secret.ToString());
        Assert.True(secret.FixedTimeEquals(value));
        var span = System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(secret.Span), secret.Length);
        secret.Dispose();
        Assert.Equal(new byte[4], span.ToArray());
        Assert.True(secret.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => secret.Span.ToArray());
    }

    [Theory]
    [InlineData("ristretto255")]
    [InlineData("P-256")]
    public void ScalarsAreRedactedAndUnusableAfterDispose(string name)
    {
        IOprfGroup group = name == "P-256" ? P256Group.Instance : Ristretto255Group.Instance;
        var scalar = group.RandomScalar(new SeededRandom("redact " + name));
        using (var bytes = scalar.Serialize())
        {
            Assert.DoesNotContain(Convert.ToHexStringLower(bytes.Span), scalar.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("secret", scalar.ToString(), StringComparison.Ordinal);
        scalar.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scalar.Serialize());
        Assert.Throws<ObjectDisposedException>(() => group.MultiplyGenerator(scalar));
    }

    [Fact]
    public void ResultsAndRecordsDoNotPrintTheirSecrets()
    {
        var rng = new SeededRandom("results");
        using var cluster = new TestSetups.TestCluster(TestSetups.Configuration("ristretto255"), 3, 2, rng);
        var user = UserId.New(rng);
        using var exportKey = cluster.Register(user, "pw"u8.ToArray());
        var (result, sessions) = cluster.Login(user, "pw"u8.ToArray(), ["node-1", "node-3"]);
        using (result)
        {
            var secrets = new[] { exportKey }.Concat(result.SessionKeys.Values).Concat(sessions.Select(s => s.SessionKey))
                .Select(s => Convert.ToHexStringLower(s.Span)).ToList();
            var printed = string.Join("\n", new object[] { result, exportKey, cluster.Stores[0].Find(user)!, cluster.Stores[0].Find(user)!.Record }
                .Concat(sessions).Select(o => o.ToString()));
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, printed, StringComparison.Ordinal);
            }

            var record = cluster.Stores[0].Find(user)!.Record;
            Assert.DoesNotContain(Convert.ToHexStringLower(record.MaskingKey), record.ToString(), StringComparison.Ordinal);
        }

        sessions.ForEach(s => s.Dispose());
    }

    [Fact]
    public void TheAuthenticationErrorSaysNothing()
    {
        var error = new OpaqueAuthenticationException();
        Assert.Equal("authentication failed", error.Message);
        Assert.Null(error.InnerException);
    }
}
