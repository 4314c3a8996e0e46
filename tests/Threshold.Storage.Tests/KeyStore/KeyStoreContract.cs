using System.Data.Common;
using System.Text;
using Threshold.Storage.Sealing;
using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.KeyStore;

/// <summary>
/// The behaviour every <see cref="IKeyStore"/> must have, run against each database. The derived class
/// provides a fresh, empty database per test and raw SQL access to it (the attacker's view).
/// </summary>
public abstract partial class KeyStoreContract : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> opened = [];

    protected KeyStoreContract()
    {
        Key = StorageKey.Generate();
        Sealer = new AesGcmRecordSealer(Key);
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected ManualClock Clock { get; } = new();

    protected StorageKey Key { get; }

    protected AesGcmRecordSealer Sealer { get; }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in opened)
        {
            await store.DisposeAsync();
        }

        Sealer.Dispose();
        Key.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Opens a store on this test's database; with <paramref name="faults"/>, on connections that fail as it says.</summary>
    private protected abstract Task<SealedKeyStore> OpenStoreCoreAsync(IRecordSealer sealer, KeyStoreOptions options, DatabaseFaults? faults);

    /// <summary>A raw connection to this test's database.</summary>
    protected abstract Task<DbConnection> OpenRawAsync();

    private protected async Task<SealedKeyStore> OpenAsync(IRecordSealer? sealer = null, bool verify = true, DatabaseFaults? faults = null)
    {
        var store = await OpenStoreCoreAsync(sealer ?? Sealer, new KeyStoreOptions { TimeProvider = Clock, VerifyOnOpen = verify }, faults);
        opened.Add(store);
        return store;
    }

    protected async Task<int> RawAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenRawAsync();
        await using var command = RawCommand(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(Ct);
    }

    protected async Task<object[]> RawRowAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenRawAsync();
        await using var command = RawCommand(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), $"no row for: {sql}");
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return values;
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static ReadOnlyMemory<byte>[] Payloads(params string[] texts) => [.. texts.Select(t => (ReadOnlyMemory<byte>)Bytes(t))];

    protected static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    protected static async Task<string> GetTextAsync(IKeyStore store, string table, string id)
    {
        using var record = await store.GetAsync(table, id, Ct);
        Assert.NotNull(record);
        return Text(record.Payload);
    }

    private static DbCommand RawCommand(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
