using Threshold.Storage.Sealing;

namespace Threshold.Storage.Tests.Sealing;

public sealed class StorageKeyFileTests : IDisposable
{
    private static readonly RecordBinding Place = new(SealedKind.Record, "shares", "k", "", 1);
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("threshold-key-");

    private string KeyPath => Path.Combine(directory.FullName, "storage.key");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public void ACreatedKeyIsOwnerOnlyAndLoadsBackTheSame()
    {
        byte[] sealedValue;
        using (var created = StorageKeyFile.LoadOrCreate(KeyPath))
        using (var sealer = new AesGcmRecordSealer(created))
        {
            sealedValue = sealer.Seal(Place, [9, 9]);
        }

        Assert.Equal(32, new FileInfo(KeyPath).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        }

        Assert.Single(directory.GetFiles()); // no temporary file left behind
        using var loaded = StorageKeyFile.LoadOrCreate(KeyPath);
        using var reopened = new AesGcmRecordSealer(loaded);
        Assert.True(reopened.TryOpen(Place, sealedValue, out _));
        Assert.Throws<IOException>(() => StorageKeyFile.Create(KeyPath)); // never overwritten
    }

    [Fact]
    public void APermissiveOrWrongSizedKeyFileIsRefused()
    {
        using (StorageKeyFile.Create(KeyPath))
        {
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var permissive = Assert.Throws<StorageKeyException>(() => StorageKeyFile.Load(KeyPath));
            Assert.Equal(StorageKeyProblem.TooPermissive, permissive.Problem);
            File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.AppendAllText(KeyPath, "x");
        var error = Assert.Throws<StorageKeyException>(() => StorageKeyFile.LoadOrCreate(KeyPath));
        Assert.Equal((StorageKeyProblem.WrongLength, KeyPath), (error.Problem, error.Path));
        Assert.Throws<FileNotFoundException>(() => StorageKeyFile.Load(Path.Combine(directory.FullName, "missing.key")));
    }
}
