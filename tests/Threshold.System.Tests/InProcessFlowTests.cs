using System.Security.Cryptography;
using Threshold.Cggmp.Signing;
using Threshold.Client;
using Threshold.Curves;

namespace Threshold.System.Tests;

/// <summary>The whole system in one process: register, log in, generate, sign, verify independently.</summary>
[Trait("Category", "Slow")]
public sealed class InProcessFlowTests
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("P-256")]
    public async Task RegisterLoginGenerateAndSign(string curveName)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await InProcessCluster.StartAsync(3, 2);
        await using var client = cluster.Client();
        var info = await client.ConnectAsync(ct);
        Assert.Equal(3u, info.NodesTotal);
        Assert.Equal(6, info.Fingerprint.Length);

        var user = await client.RegisterAsync(Password, ct);
        await client.LoginAsync(user, Password, cancellationToken: ct);
        Assert.Equal(3, client.SessionNodes.Count);

        var curve = Curve.FromName(curveName);
        var key = await client.GenerateKeyAsync(curve, ct);
        for (var i = 0; i < 3; i++)
        {
            var message = global::System.Text.Encoding.UTF8.GetBytes($"message {i}");
            var (signature, digest) = await client.SignMessageAsync(key.KeyId, message, ct);
            Assert.True(ThresholdClient.Verify(key, digest, signature));
            Assert.True(IndependentVerify(key.PublicKey, digest, signature));
        }

        await client.LogoutAsync(ct);
    }

    internal static bool IndependentVerify(Point publicKey, byte[] digest, EcdsaSignature signature)
    {
        var encoded = publicKey.Encode(compressed: false);
        var curve = publicKey.Curve == Curve.P256 ? ECCurve.NamedCurves.nistP256 : ECCurve.CreateFromFriendlyName("secP256k1");
        using var key = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = encoded[1..33], Y = encoded[33..] } });
        return key.VerifyHash(digest, signature.ToP1363(), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
