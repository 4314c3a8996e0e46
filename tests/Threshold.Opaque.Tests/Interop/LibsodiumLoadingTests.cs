using Threshold.Opaque.Groups;
using Threshold.Opaque.Ksf;

namespace Threshold.Opaque.Tests.Interop;

/// <summary>
/// ristretto255 and Argon2id run on the libsodium that NSec.Cryptography brings (the libsodium package's
/// runtimes/&lt;rid&gt;/native), never on a libsodium installed on the system.
/// </summary>
public sealed class LibsodiumLoadingTests
{
    [Fact]
    public void Ristretto255RunsOnNSecsLibsodium()
    {
        var group = Ristretto255Group.Instance;
        var element = group.HashToGroup("input"u8, "dst"u8);
        using var scalar = group.HashToScalar("input"u8, "dst"u8);
        Assert.False(group.Multiply(scalar, element).Equals(group.Identity));
        Assert.Equal("1.0.22", Ristretto255Group.LibsodiumVersion);
    }

    [Fact]
    public void TheOnlyLibsodiumInTheProcessIsNSecs()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("reads /proc/self/maps");
        }

        // Bind both users of libsodium: the ristretto255 imports and NSec's own.
        _ = Ristretto255Group.Instance.HashToGroup("input"u8, "dst"u8);
        using var stretched = new Argon2idKsf(Argon2idProfile.Test).Stretch("input"u8, 32);

        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && Path.GetFileName(fields[5]).StartsWith("libsodium", StringComparison.Ordinal))
            .Select(fields => fields[5].Trim())
            .Distinct()
            .ToList();
        var expected = Path.Combine(AppContext.BaseDirectory, "runtimes");
        var path = Assert.Single(mapped);
        Assert.StartsWith(expected, path, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("native", "libsodium.so"), path, StringComparison.Ordinal);
    }
}
