using System.Security.Cryptography;
using NSec.Cryptography;
using Threshold.Opaque.Ksf;

namespace Threshold.Opaque.Tests.Ksf;

/// <summary>
/// The KSFs: NSec's Argon2id against libsodium's own vector, scrypt against an independent
/// implementation (Python's hashlib, OpenSSL), and the profiles' parameters.
/// </summary>
public sealed class KeyStretchingTests
{
    [Fact]
    public void NSecsArgon2idMatchesLibsodiumsOwnVector()
    {
        // libsodium test/default/pwhash_argon2id.c, tv()[6] (opslimit 1, memlimit 1631659 bytes, 231 bytes out),
        // expected output from pwhash_argon2id.exp line 7. libsodium takes m = memlimit / 1024 = 1593 KiB.
        var password = Convert.FromHexString("b540beb016a5366524d4605156493f9874514a5aa58818cd0c6dfffaa9e90205f17b");
        var salt = Convert.FromHexString("44071f6d181561670bda728d43fb79b4");
        const string Expected =
            "7fb72409b0987f8190c3729710e98c3f80c5a8727d425fdcde7f3644d467fe973f5b5fee683bd3fce812cb9ae5e9921a2d06c2f1905e4e839692f2b934b682f1"
            + "1a2fe2b90482ea5dd234863516dba6f52dc0702d324ec77d860c2e181f84472bd7104fedce071ffa93c5309494ad51623d214447a7b2b1462dc7d5d55a1f6fd5"
            + "b54ce024118d86f0c6489d16545aaa87b6689dad9f2fb47fda9894f8e12b87d978b483ccd4cc5fd9595cdc7a818452f915ce2f7df95ec12b1c72e3788d473441"
            + "d884f9748eb14703c21b45d82fd667b85f5b2d98c13303b3fe76285531a826b6fc0fe8e3dddecf";
        var parameters = new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 1631659 / 1024, NumberOfPasses = 1 };
        var output = PasswordBasedKeyDerivationAlgorithm.Argon2id(in parameters).DeriveBytes(password, salt, 231);
        Assert.Equal(Expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void MemoryThatCannotBeHadIsACryptographicException()
    {
        // 2 TiB: refused at once where the kernel does not overcommit blindly (mode 0 or 2). Under mode 1 the
        // allocation would succeed and the stretch would fill it, so the test does not run there.
        if (!OperatingSystem.IsLinux() || File.ReadAllText("/proc/sys/vm/overcommit_memory").Trim() == "1")
        {
            Assert.Skip("needs Linux without blind overcommit");
        }

        var ksf = new Argon2idKsf(new Argon2idProfile("huge", 1, int.MaxValue));
        var error = Assert.Throws<CryptographicException>(() => ksf.Stretch("x"u8, 32));
        Assert.Contains("huge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScryptMatchesAnIndependentImplementation()
    {
        // hashlib.scrypt(password, salt=bytes(16), n=1024, r=8, p=1, dklen=...) in Python 3 (OpenSSL).
        var ksf = new ScryptKsf(ScryptProfile.Test);
        using (var a = ksf.Stretch("password"u8, 32))
        {
            Assert.Equal("cea1cbc109b79979f242acf290e277b5d7880cd4300980c2bf0882f4c161e320", Convert.ToHexStringLower(a.Span));
        }

        using var b = ksf.Stretch([.. Enumerable.Range(0, 64).Select(i => (byte)i)], 64);
        Assert.Equal(
            "51224afef8d44e4a4503576ec93b883043867f373c44b14df2576f275926367b8e7844e4ff07dcd823fbdec9165837ee0ddb985a1c24ac082d94c397ccee34c0",
            Convert.ToHexStringLower(b.Span));
    }

    [Fact]
    public void Argon2idDependsOnInputAndProfile()
    {
        var light = new Argon2idKsf(Argon2idProfile.Test);
        var other = new Argon2idKsf(Argon2idProfile.Test with { Name = "test-2", Iterations = 2 });
        using var a = light.Stretch("input"u8, 64);
        using var again = light.Stretch("input"u8, 64);
        using var b = light.Stretch("inpuT"u8, 64);
        using var c = other.Stretch("input"u8, 64);
        Assert.True(a.FixedTimeEquals(again.Span));
        Assert.False(a.FixedTimeEquals(b.Span));
        Assert.False(a.FixedTimeEquals(c.Span));
        Assert.Equal("argon2id(t=1,m=64KiB,p=1)", light.Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => light.Stretch("x"u8, 8));
    }

    [Fact]
    public void ProfilesCarryTheDocumentedParameters()
    {
        Assert.Equal((1, 2 * 1024 * 1024, 1), (Argon2idProfile.Rfc9807.Iterations, Argon2idProfile.Rfc9807.MemoryKiB, Argon2idProfile.Rfc9807.Parallelism));
        Assert.Equal((3, 64 * 1024), (Argon2idProfile.LowMemory.Iterations, Argon2idProfile.LowMemory.MemoryKiB));
        Assert.Equal((32768, 8, 1), (ScryptProfile.Rfc9807.Cost, ScryptProfile.Rfc9807.BlockSize, ScryptProfile.Rfc9807.Parallelism));
        Assert.Equal("argon2id(t=1,m=2097152KiB,p=1)", new Argon2idKsf().Name);
        Assert.Equal("scrypt(N=32768,r=8,p=1)", new ScryptKsf().Name);
        Assert.Throws<ArgumentException>(() => new ScryptKsf(new ScryptProfile("bad", 1000, 8, 1)));
        Assert.Throws<ArgumentException>(() => new Argon2idKsf(new Argon2idProfile("bad", 0, 64)));
    }

    [Fact]
    public void IdentityReturnsItsInput()
    {
        using var output = IdentityKsf.Instance.Stretch("same"u8, 4);
        Assert.True(output.FixedTimeEquals("same"u8));
        Assert.Throws<ArgumentException>(() => IdentityKsf.Instance.Stretch("same"u8, 5));
    }
}
