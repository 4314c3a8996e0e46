using System.Data.Common;
using Npgsql;
using Threshold.Storage.Sealing;
using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.KeyStore;

/// <summary>
/// The key store contract on PostgreSQL: one throwaway server for the class (<see cref="PostgresServer"/>),
/// a fresh schema per test.
/// </summary>
public sealed class PostgresKeyStoreTests(PostgresServer server) : KeyStoreContract, IClassFixture<PostgresServer>
{
    private string connectionString = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        connectionString = await server.NewSchemaAsync(Ct);
    }

    private protected override async Task<SealedKeyStore> OpenStoreCoreAsync(IRecordSealer sealer, KeyStoreOptions options, DatabaseFaults? faults) =>
        faults is null
            ? await PostgresKeyStore.OpenAsync(connectionString, sealer, options, Ct)
            : await PostgresKeyStore.OpenAsync(new FailingDataSource(NpgsqlDataSource.Create(connectionString), faults), sealer, options, Ct);

    protected override async Task<DbConnection> OpenRawAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    [Fact]
    public async Task EachSchemaIsASeparateStore()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("node 1"), IKeyStore.Absent, Ct);
        var otherSchema = await server.NewSchemaAsync(Ct);
        await using var other = await PostgresKeyStore.OpenAsync(otherSchema, Sealer, new KeyStoreOptions(), Ct);
        Assert.Null(await other.GetAsync("shares", "k", Ct));
        Assert.Equal(0, await other.GetStateVersionAsync(Ct));
        Assert.Contains(".t_", other.Database, StringComparison.Ordinal);
    }
}
