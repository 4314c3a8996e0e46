namespace Threshold.Storage;

/// <summary>Options of a <see cref="SealedKeyStore"/>.</summary>
public sealed class KeyStoreOptions
{
    /// <summary>The clock for audit timestamps (tests pass a fake one). Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Run <see cref="IKeyStore.VerifyAsync"/> when the store opens (default true). It reads every row
    /// once (hashing, not decrypting, records and queue items; opening audit entries).
    /// </summary>
    public bool VerifyOnOpen { get; init; } = true;
}
