using System.Security.Cryptography;

namespace Threshold.Storage.Sealing;

/// <summary>
/// Keeps the node's storage key in a local file: 32 random bytes, created with mode 0600 (owner read
/// and write only) and refused on load if the group or others can access it. The key never appears in
/// an exception, log line or <c>ToString</c>. A KMS, HSM or enclave replaces this class by providing
/// its own <see cref="IRecordSealer"/>.
/// </summary>
public static class StorageKeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Loads the key at <paramref name="path"/>, or creates it there if no file exists yet.</summary>
    /// <exception cref="StorageKeyException">The existing file is not exactly 32 bytes, or is accessible to group or others.</exception>
    public static StorageKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            try
            {
                return Create(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        return Load(path);
    }

    /// <summary>Creates a new key file with mode 0600 and returns the key.</summary>
    /// <exception cref="IOException">The file already exists.</exception>
    public static StorageKey Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var key = StorageKey.Generate();
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(key.Bytes);
                stream.Flush(flushToDisk: true);
            }

            // Appears complete or not at all; never overwrites an existing key.
            File.Move(temporary, full, overwrite: false);
            return key;
        }
        catch
        {
            key.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Loads an existing key file.</summary>
    /// <exception cref="StorageKeyException">The file is not exactly 32 bytes, or is accessible to group or others.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static StorageKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOthers) != 0)
        {
            throw new StorageKeyException(StorageKeyProblem.TooPermissive, path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length != StorageKey.Size)
        {
            throw new StorageKeyException(StorageKeyProblem.WrongLength, path);
        }

        Span<byte> buffer = stackalloc byte[StorageKey.Size];
        try
        {
            stream.ReadExactly(buffer);
            return StorageKey.FromBytes(buffer);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }
}
