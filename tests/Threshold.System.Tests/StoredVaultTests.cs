using System.Security.Cryptography;
using Threshold.Node.Storage;
using Threshold.Storage;
using Threshold.Storage.Sealing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>The whole flow with every node's vault in its own sealed SQLite database.</summary>
[Trait("Category", "Slow")]
public sealed class StoredVaultTests
{
    [Fact]
    public async Task KeysAndPresignaturesLiveInSealedSqlite()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-vaults-");
        var stores = new List<IKeyStore>();
        try
        {
            await using (var cluster = await InProcessCluster.StartAsync(3, 2, vaults: node =>
            {
                var store = SqliteKeyStore.OpenAsync(Path.Combine(directory.FullName, node + ".db"), new AesGcmRecordSealer(StorageKey.Generate()), cancellationToken: ct).GetAwaiter().GetResult();
                stores.Add(store);
                return new StoredNodeVault(store);
            }))
            {
                await using var client = cluster.Client();
                await client.ConnectAsync(ct);
                var password = "stored"u8.ToArray();
                var user = await client.RegisterAsync(password, ct);
                await client.LoginAsync(user, password, cancellationToken: ct);
                var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
                var digest = SHA256.HashData("from the database"u8);
                var signature = await client.SignDigestAsync(key.KeyId, digest, ct);
                Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, signature));
                await cluster.Aggregator.DrainAsync();
            }

            foreach (var store in stores)
            {
                Assert.True(await store.GetStateVersionAsync(ct) > 0);
                Assert.True(await store.VerifyChainAsync(ct) > 0);
                await store.VerifyAsync(ct);
            }
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }
}
