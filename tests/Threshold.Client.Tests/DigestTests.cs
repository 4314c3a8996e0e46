using System.Security.Cryptography;
using System.Text;
using Threshold.Curves;

namespace Threshold.Client.Tests;

/// <summary>
/// Pins <see cref="ThresholdClient.Digest"/>: Keccak-256 (Ethereum's, not SHA3-256) on secp256k1,
/// SHA-256 on P-256.
/// </summary>
public sealed class DigestTests
{
    [Fact]
    public void Secp256k1_signs_under_keccak256() =>
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Convert.ToHexStringLower(ThresholdClient.Digest(Curve.Secp256k1, [])));

    [Fact]
    public void Secp256k1_keccak256_of_a_message()
    {
        // keccak256("hello"), as Ethereum tooling computes it.
        Assert.Equal("1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8", Convert.ToHexStringLower(ThresholdClient.Digest(Curve.Secp256k1, "hello"u8)));
    }

    [Fact]
    public void P256_signs_under_sha256()
    {
        var message = Encoding.UTF8.GetBytes("a message to sign");
        Assert.Equal(SHA256.HashData(message), ThresholdClient.Digest(Curve.P256, message));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(ThresholdClient.Digest(Curve.P256, [])));
    }
}
