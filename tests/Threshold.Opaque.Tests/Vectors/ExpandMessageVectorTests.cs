using System.Security.Cryptography;
using System.Text;
using Threshold.Opaque.HashToCurve;
using Threshold.Opaque.Tests.Support;

namespace Threshold.Opaque.Tests.Vectors;

/// <summary>RFC 9380 Appendix K: expand_message_xmd with SHA-256 (short and over-long DST) and SHA-512.</summary>
public sealed class ExpandMessageVectorTests
{
    public static TheoryData<string> Files =>
    [
        "h2c-expand_message_xmd_SHA256_38.json",
        "h2c-expand_message_xmd_SHA256_256.json",
        "h2c-expand_message_xmd_SHA512_38.json",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void UniformBytesMatch(string file)
    {
        var suite = VectorFiles.Load(file);
        var hash = suite.Text("hash") == "SHA512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        var dst = Encoding.ASCII.GetBytes(suite.Text("DST"));
        var count = 0;
        foreach (var test in suite.GetProperty("tests").EnumerateArray())
        {
            var message = Encoding.ASCII.GetBytes(test.Text("msg"));
            var length = Convert.ToInt32(test.Text("len_in_bytes"), 16);
            var output = ExpandMessageXmd.Expand(hash, message, dst, length);
            Assert.Equal(test.Text("uniform_bytes"), Convert.ToHexStringLower(output));
            count++;
        }

        Assert.Equal(10, count);
    }

    [Fact]
    public void RefusesLengthsTheRfcForbids()
    {
        var dst = "tag"u8.ToArray();
        Assert.Throws<ArgumentException>(() => ExpandMessageXmd.Expand(HashAlgorithmName.SHA256, [], dst, 255 * 32 + 1));
        Assert.Throws<ArgumentException>(() => ExpandMessageXmd.Expand(HashAlgorithmName.SHA256, [], [], 32));
        Assert.Throws<ArgumentException>(() => ExpandMessageXmd.Expand(HashAlgorithmName.SHA384, [], dst, 32));
        Assert.Equal(255 * 32, ExpandMessageXmd.Expand(HashAlgorithmName.SHA256, [], dst, 255 * 32).Length);
    }
}
