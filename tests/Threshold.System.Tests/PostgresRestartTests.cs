using Npgsql;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Storage.Tests.Support;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>
/// The PostgreSQL server option end to end: `cluster init --postgres` gives each node a schema of its
/// own on a throwaway server, and the cluster signs on both curves across a restart of every process.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PostgresRestartTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task KeysStoredInPostgreSqlSurviveARestart()
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"c{Guid.NewGuid():N}"[..12];
        await using (var connection = new NpgsqlConnection(server.AdminConnectionString))
        {
            await connection.OpenAsync(ct);
            foreach (var party in new[] { 1, 2, 3 })
            {
                await using var command = new NpgsqlCommand($"CREATE SCHEMA {prefix}_node{party}", connection);
                await command.ExecuteNonQueryAsync(ct);
            }
        }

        var template = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { SearchPath = $"{prefix}_node{ClusterInit.PartyPlaceholder}" }.ToString();
        var directory = Directory.CreateTempSubdirectory("threshold-cluster-");
        try
        {
            await ClusterInit.CreateAsync(directory.FullName, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), postgres: template, cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(directory.FullName);
            Assert.Empty(Directory.GetFiles(directory.FullName, "node.db", SearchOption.AllDirectories)); // nothing went to SQLite

            await RestartTests.SignAcrossRestartAsync(directory.FullName, ct);

            await using var check = new NpgsqlConnection(server.AdminConnectionString);
            await check.OpenAsync(ct);
            await using var tables = new NpgsqlCommand($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{prefix}_node2'", check);
            Assert.True((long)(await tables.ExecuteScalarAsync(ct))! > 0);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task AConnectionStringWithoutThePartyPlaceholderIsRefused()
    {
        var directory = Directory.CreateTempSubdirectory("threshold-cluster-");
        try
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => ClusterInit.CreateAsync(directory.FullName, 3, 2, 7100, SecurityLevel.Bits2048, primes: TestPrimes.Pool(), postgres: server.AdminConnectionString, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains(ClusterInit.PartyPlaceholder, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
